using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Training;

/// <summary>
/// The trainer's LLaMA path runs <c>lm_head</c> and the loss on the answer positions only, and may
/// recompute each decoder layer in backward (gradient checkpointing): both must give the full
/// computation's loss and gradients.
/// </summary>
public class AnswerOnlyLossTests
{
    /// <summary>Prompts of different lengths (so the batch is right-padded) and answers of one to three tokens.</summary>
    private static readonly TrainingExample[] Examples =
    [
        new([1, 20, 31, 44, 5, 60], [70, 2]),
        new([1, 21], [61]),
        new([1, 9, 13, 17], [8, 88, 2]),
    ];

    /// <summary>A random GQA LLaMA with LoRA on q/v whose B is random too (B = 0 would leave A without gradient).</summary>
    private static (LlamaForCausalLM Model, LoraAdapterSet Lora) Adapted(double dropout, ScalarType dtype = ScalarType.Float32)
    {
        var model = RandomModels.Create(dtype: dtype);
        var lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 4, Alpha = 8, Dropout = dropout, TargetModules = ["q_proj", "v_proj"] }, seed: 3);
        using var generator = new Generator(11);
        using (no_grad())
            foreach (var (_, adapter) in lora.Adapters)
                adapter.lora_B.normal_(0, 0.5, generator);
        return (model, lora);
    }

    /// <summary>The loss and a copy of every adapter gradient after one backward pass of <paramref name="loss"/>.</summary>
    private static (double Loss, List<Tensor> Grads) LossAndGrads(LoraAdapterSet lora, Func<Tensor> loss)
    {
        var parameters = lora.NamedParameters().Select(p => p.Parameter).ToList();
        foreach (Parameter p in parameters) p.grad?.zero_();
        double value;
        using (var scope = NewDisposeScope())
        {
            Tensor l = loss();
            value = l.item<float>();
            l.backward();
        }
        return (value, parameters.Select(p => p.grad!.detach().clone()).ToList());
    }

    private static void AssertClose(List<Tensor> expected, List<Tensor> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            double scale = Math.Max(1, expected[i].abs().max().item<float>());
            double diff = Fixtures.MaxAbsDiff(expected[i], actual[i]);
            Assert.True(diff <= tolerance * scale, $"gradient {i}: max difference {diff:G3} (scale {scale:G3})");
        }
        // The gradients are not all zero: the comparison means something.
        Assert.Contains(expected, g => g.abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void AnswerOnlyLogitsGiveTheFullComputationsLossAndGradients()
    {
        var (model, lora) = Adapted(dropout: 0);
        using var _ = model;
        using var batch = CausalLMBatch.Collate(Examples, [0, 1, 2], maxLength: 16, padTokenId: 0);
        model.train();

        var full = LossAndGrads(lora, () => CompletionLoss.Sum(model.forward(batch.InputIds, batch.AttentionMask), batch.Labels));
        var answerOnly = LossAndGrads(lora, () => CompletionLoss.SumAtCompletions(model, batch.InputIds, batch.AttentionMask, batch.Labels));

        Assert.True(Math.Abs(full.Loss - answerOnly.Loss) <= 1e-5 * Math.Max(1, Math.Abs(full.Loss)), $"loss {answerOnly.Loss} vs {full.Loss}");
        AssertClose(full.Grads, answerOnly.Grads, 1e-5);
    }

    [Fact]
    public void GradientCheckpointingGivesTheSameGradientsWithDropoutAndRecomputesEachLayer()
    {
        var (model, lora) = Adapted(dropout: 0.2);
        using var _ = model;
        using var batch = CausalLMBatch.Collate(Examples, [0, 1, 2], maxLength: 16, padTokenId: 0);
        using var generator = new Generator(5);
        using var start = generator.get_state();
        lora.SetDropoutGenerator(generator);
        model.train();
        int firstLayerCalls = 0;
        var q = model.Layers[0].self_attn.q_proj;
        var hook = q.register_forward_pre_hook((_, input) => { firstLayerCalls++; return input; });
        Tensor Loss() => CompletionLoss.SumAtCompletions(model, batch.InputIds, batch.AttentionMask, batch.Labels);

        var plain = LossAndGrads(lora, Loss);
        Assert.Equal(1, firstLayerCalls);

        generator.set_state(start);
        model.GradientCheckpointing = true;
        firstLayerCalls = 0;
        var checkpointed = LossAndGrads(lora, Loss);
        Assert.Equal(2, firstLayerCalls); // once without a graph in forward, once with one in backward

        Assert.Equal(plain.Loss, checkpointed.Loss, 6);
        AssertClose(plain.Grads, checkpointed.Grads, 1e-6);

        // The dropout masks of the recomputation are those of the first pass: a different draw would
        // change the gradients, which this confirms by drawing anew.
        model.GradientCheckpointing = false;
        var redrawn = LossAndGrads(lora, Loss);
        Assert.True(Fixtures.MaxAbsDiff(plain.Grads[0], redrawn.Grads[0]) > 1e-4);
    }

    [Fact]
    public void Bf16GradientCheckpointingGivesTheSameGradients()
    {
        // 3 x 8 positions: on a CPU without native bf16 products the layers take the widened fp32 path
        // (Bf16Matmul), whose own backward function then runs inside the recomputation.
        var (model, lora) = Adapted(dropout: 0, ScalarType.BFloat16);
        using var _ = model;
        using var batch = CausalLMBatch.Collate(Examples, [0, 1, 2], maxLength: 16, padTokenId: 0);
        model.train();
        Tensor Loss() => CompletionLoss.SumAtCompletions(model, batch.InputIds, batch.AttentionMask, batch.Labels);
        var plain = LossAndGrads(lora, Loss);
        model.GradientCheckpointing = true;
        var checkpointed = LossAndGrads(lora, Loss);
        model.GradientCheckpointing = false;
        Assert.Equal(plain.Loss, checkpointed.Loss, 6);
        AssertClose(plain.Grads, checkpointed.Grads, 1e-6);
    }

    [Fact]
    public void TrainerStepsWithCheckpointingMatchTheStepsWithout()
    {
        double[] StepLosses(bool checkpointing)
        {
            var (model, lora) = Adapted(dropout: 0.1);
            using var _ = model;
            var reporter = new Reporter(report => { });
            new LoraTrainer(lora, model, new TrainingOptions { Epochs = 2, BatchSize = 2, MaxLength = 16, GradientCheckpointing = checkpointing })
                .Train(Examples, reporter);
            Assert.False(model.GradientCheckpointing); // restored after training
            return reporter.Reports.Where(r => r.Kind == TrainingProgressKind.Step).Select(r => r.Loss).ToArray();
        }
        double[] plain = StepLosses(false), checkpointed = StepLosses(true);
        Assert.Equal(4, plain.Length);
        for (int i = 0; i < plain.Length; i++)
            Assert.True(Math.Abs(plain[i] - checkpointed[i]) <= 1e-5, $"step {i + 1}: {checkpointed[i]} vs {plain[i]}");
    }

    [Fact]
    public void CheckpointingThroughAForwardDelegateIsRefusedByName()
    {
        var (model, lora) = Adapted(dropout: 0);
        using var _ = model;
        var ex = Assert.Throws<ArgumentException>(() =>
            new LoraTrainer(lora, (ids, mask) => model.forward(ids, mask), new TrainingOptions { GradientCheckpointing = true }));
        Assert.Contains("GradientCheckpointing", ex.Message);
    }

    [Fact]
    public void AnIdOutsideTheVocabularyIsNamedWithItsExampleBeforeAnyForward()
    {
        // The trainer's answer-only path skips the public forward's id check: the batch checks its ids
        // on the host, once, where it is made.
        var (model, lora) = Adapted(dropout: 0);
        using var _ = model;
        TrainingExample[] examples = [Examples[0], new([1, 21], [97])];   // vocabulary 97: ids 0..96
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LoraTrainer(lora, model, new TrainingOptions { Epochs = 1, BatchSize = 2, MaxLength = 16 }).Train(examples, new Reporter(_ => { })));
        Assert.Contains("Training example 1: completion token 0 is id 97", ex.Message);
        Assert.Contains("[0, 97)", ex.Message);
    }
}
