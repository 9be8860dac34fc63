using System.Text.Json;
using Paft.Llama.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Training;

public class AdamWOptimizerTests
{
    /// <summary>A fixed gradient per step and parameter, the same for both optimizers.</summary>
    private static Tensor Gradient(long[] shape, int step, int index)
    {
        var g = new Generator((ulong)(1000 * step + index));
        return randn(shape, generator: g);
    }

    [Theory]
    [InlineData(0.0, 1e-3)]
    [InlineData(0.1, 1e-3)]
    [InlineData(0.01, 5e-2)]
    public void MatchesTorchSharpsAdamWOverSeveralSteps(double weightDecay, double learningRate)
    {
        long[][] shapes = [[4, 3], [5], [2, 6]];
        var ours = shapes.Select((s, i) => new Parameter(randn(s, generator: new Generator((ulong)i + 7)))).ToArray();
        var theirs = ours.Select(p => new Parameter(p.detach().clone())).ToArray();
        using var reference = optim.AdamW(theirs, lr: learningRate, beta1: 0.9, beta2: 0.95, eps: 1e-6, weight_decay: weightDecay);
        using var optimizer = new AdamWOptimizer(ours.Select((p, i) => ($"p{i}", p, weightDecay)), 0.9, 0.95, 1e-6);

        for (int step = 1; step <= 6; step++)
        {
            // A learning rate that changes every step, as the trainer's schedule does.
            double lr = learningRate * step / 6.0;
            foreach (var g in reference.ParamGroups) g.LearningRate = lr;
            for (int i = 0; i < shapes.Length; i++)
            {
                using Tensor grad = Gradient(shapes[i], step, i);
                ours[i].grad = grad.clone();
                theirs[i].grad = grad.clone();
            }
            optimizer.Step(lr);
            reference.step();
        }

        for (int i = 0; i < shapes.Length; i++)
        {
            double maxDiff = (ours[i] - theirs[i]).abs().max().item<float>();
            Assert.True(maxDiff <= 1e-6, $"parameter {i} differs by {maxDiff} after 6 steps (weight decay {weightDecay})");
        }
        Assert.Equal(6, optimizer.StepCount);
    }

    [Fact]
    public void FollowsPyTorchsDefinitionOnOneScalarStep()
    {
        // torch.optim.AdamW, step 1: θ·(1 − lr·λ) − lr/(1−β₁) · (1−β₁)g / (√((1−β₂)g²)/√(1−β₂) + ε) = θ(1 − lr·λ) − lr·g/(|g| + ε).
        var p = new Parameter(tensor(new[] { 2.0f }));
        using var optimizer = new AdamWOptimizer([("p", p, 0.5)], 0.9, 0.999, 1e-8);
        p.grad = tensor(new[] { -3.0f });
        optimizer.Step(0.1);
        double expected = 2.0 * (1 - 0.1 * 0.5) - 0.1 * -3.0 / (3.0 + 1e-8);
        Assert.Equal(expected, p.item<float>(), 6);
    }

    [Fact]
    public void SavedStateRestoresTheNextStepExactly()
    {
        Parameter[] Make() => [new Parameter(randn([3, 2], generator: new Generator(1))), new Parameter(randn([4], generator: new Generator(2)))];
        var straight = Make();
        var resumed = Make();
        using var a = new AdamWOptimizer(straight.Select((p, i) => ($"p{i}", p, 0.1)), 0.9, 0.999, 1e-8);
        using var b = new AdamWOptimizer(resumed.Select((p, i) => ($"p{i}", p, 0.1)), 0.9, 0.999, 1e-8);
        for (int step = 1; step <= 3; step++)
        {
            for (int i = 0; i < 2; i++)
            {
                straight[i].grad = Gradient(straight[i].shape, step, i);
                resumed[i].grad = Gradient(resumed[i].shape, step, i);
            }
            a.Step(0.01);
            if (step < 3) b.Step(0.01);
            else
            {
                // Resume: b's state after step 2 is saved and loaded into a new optimizer over copies of b's parameters.
                var stream = new MemoryStream();
                b.Save(new BinaryWriter(stream));
                var copy = resumed.Select(p => new Parameter(p.detach().clone())).ToArray();
                using var c = new AdamWOptimizer(copy.Select((p, i) => ($"p{i}", p, 0.1)), 0.9, 0.999, 1e-8);
                stream.Position = 0;
                c.Load(new BinaryReader(stream), "memory");
                for (int i = 0; i < 2; i++) copy[i].grad = Gradient(copy[i].shape, step, i);
                c.Step(0.01);
                for (int i = 0; i < 2; i++)
                    Assert.True(TensorBits.Same(straight[i], copy[i]), $"parameter {i} differs after resuming");
                Assert.Equal(3, c.StepCount);
            }
        }
    }

    [Fact]
    public void StateOfOtherTensorsIsRefusedInOneLineNamingTheTensor()
    {
        var p = new Parameter(zeros(2, 2));
        using var saved = new AdamWOptimizer([("layer.lora_A", p, 0)], 0.9, 0.999, 1e-8);
        var stream = new MemoryStream();
        saved.Save(new BinaryWriter(stream));

        using var other = new AdamWOptimizer([("layer.lora_B", new Parameter(zeros(2, 2)), 0)], 0.9, 0.999, 1e-8);
        stream.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => other.Load(new BinaryReader(stream), "ckpt/optimizer.bin"));
        Assert.Contains("'layer.lora_A'", e.Message);
        Assert.Contains("ckpt/optimizer.bin", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void ACheckpointOfTheOldFormatIsRefusedInOneLine()
    {
        using var dir = new TempFolder();
        var state = new TrainingState(1, 3, 1, 1, 6, 7, 3, "", 0.5, 2);
        File.WriteAllText(dir.File(TrainingCheckpoint.StateFile), JsonSerializer.Serialize(state, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));

        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.ReadState(dir.Path));
        Assert.Contains("format 1", e.Message);
        Assert.Contains(dir.Path, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}
