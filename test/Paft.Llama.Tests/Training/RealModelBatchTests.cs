using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Training;
using Paft.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Training;

/// <summary>The training batch layout and LoRA merge on the real LLaMA (tiny-llama3 fixture, fp32).</summary>
public class RealModelBatchTests
{
    [SharedFact]
    public void RightPaddedRowsGetTheSameLogitsAsTheRowAlone()
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model("tiny-llama3-bf16"), ScalarType.Float32);
        var examples = new[]
        {
            new TrainingExample([1, 20, 30, 40, 50], [60, 70, 2]),
            new TrainingExample([1, 21], [61, 2]),
        };
        using var batch = CausalLMBatch.Collate(examples, [0, 1], maxLength: 16, padTokenId: 0);
        using var alone = CausalLMBatch.Collate(examples, [1], maxLength: 16, padTokenId: 0);
        using var _ = no_grad();

        using Tensor batched = model.forward(batch.InputIds, batch.AttentionMask);
        using Tensor single = model.forward(alone.InputIds, alone.AttentionMask);
        Assert.True(Fixtures.MaxAbsDiff(batched[1, ..4], single[0]) <= 1e-5);
        // And the loss of the batch is the token-weighted mean of the rows' losses.
        using var first = CausalLMBatch.Collate(examples, [0], maxLength: 16, padTokenId: 0);
        double sumFirst = CompletionLoss.Sum(model.forward(first.InputIds, first.AttentionMask), first.Labels).item<float>();
        double sumSecond = CompletionLoss.Sum(single, alone.Labels).item<float>();
        Assert.Equal(sumFirst + sumSecond, CompletionLoss.Sum(batched, batch.Labels).item<float>(), 3);
    }

    [SharedFact]
    public void MergedEqualsUnmergedOnTheRealModel()
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model("tiny-llama3-bf16"), ScalarType.Float32);
        LoraAdapterSet lora = PeftAdapter.Load(model, SharedData.Path("fixtures", "lora", "tiny-llama3-bf16-adapter"));
        using var ids = tensor(new long[] { 1, 5, 9, 200, 31, 7, 64 }, 1, 7);
        using var _ = no_grad();
        using Tensor unmerged = model.forward(ids, null);

        lora.Merge();
        using Tensor merged = model.forward(ids, null);
        Assert.True(Fixtures.MaxAbsDiff(merged, unmerged) <= 1e-5);

        lora.Unmerge();
        using Tensor again = model.forward(ids, null);
        Assert.True(Fixtures.MaxAbsDiff(again, unmerged) <= 1e-5);
    }
}
