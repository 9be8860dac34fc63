using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Training;
using Paft.Tests.Common;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Training;

public class Stories260KFineTuneTests(ITestOutputHelper output)
{
    private static double CompletionLossOf(LlamaForCausalLM model, IReadOnlyList<TrainingExample> examples)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var batch = CausalLMBatch.Collate(examples, Enumerable.Range(0, examples.Count).ToArray(), maxLength: 64, padTokenId: 0);
        return CompletionLoss.Mean(model.forward(batch.InputIds, batch.AttentionMask), batch.Labels).item<float>();
    }

    [SharedTheory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)] // bf16 compute: the frozen base in bf16, adapters and optimizer in fp32
    public void LoraLearnsAFixedContinuationOnTheRealPretrainedModel(ScalarType dtype)
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model("stories260K"), dtype);
        // A "task": after either of two prompts, answer with a fixed, unlikely token sequence, then EOS (2).
        var examples = new List<TrainingExample>
        {
            new([1, 403, 261, 351, 290], [470, 37, 511, 2]),
            new([1, 310, 275, 260, 349, 287], [470, 37, 511, 2]),
        };
        double before = CompletionLossOf(model, examples);

        var lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 8, Alpha = 16, TargetModules = ["q_proj", "v_proj", "o_proj"] }, seed: 1);
        var options = new TrainingOptions { Epochs = 15, BatchSize = 2, LearningRate = 2e-2, WarmupRatio = 0.1, Seed = 1 };
        TrainingResult result = new LoraTrainer(lora, (ids, mask) => model.forward(ids, mask), options).Train(examples);
        double after = CompletionLossOf(model, examples);

        output.WriteLine($"{dtype}: completion loss before {before:F4}, after {after:F4}");
        Assert.Equal(15, result.Steps);
        Assert.True(after < 0.5 * before, $"completion loss {before} -> {after}");
    }
}
