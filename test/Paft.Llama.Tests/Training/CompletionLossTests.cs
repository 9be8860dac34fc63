using Paft.Llama.Training;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Training;

public class CompletionLossTests
{
    [Fact]
    public void CollateRightPadsMasksThePromptAndCutsThePromptFromTheLeft()
    {
        var examples = new[]
        {
            new TrainingExample([1, 5, 6, 7], [8, 2]),   // 6 tokens > max 5: drops the leading 1
            new TrainingExample([1, 9], [3]),
        };
        using var batch = CausalLMBatch.Collate(examples, [0, 1], maxLength: 5, padTokenId: 0);

        Assert.Equal(new long[] { 5, 6, 7, 8, 2, 1, 9, 3, 0, 0 }, batch.InputIds.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, batch.AttentionMask.data<long>().ToArray());
        Assert.Equal(new long[] { -100, -100, -100, 8, 2, -100, -100, 3, -100, -100 }, batch.Labels.data<long>().ToArray());
        Assert.Equal(8, batch.RealTokens);
        Assert.Equal(3, batch.LossTokens);
    }

    [Fact]
    public void ACompletionLongerThanTheLimitIsAnErrorNamingTheExample()
    {
        var examples = new[] { new TrainingExample([1], [2]), new TrainingExample([1], [4, 5, 6]) };
        var ex = Assert.Throws<ArgumentException>(() => CausalLMBatch.Collate(examples, [0, 1], maxLength: 2, padTokenId: 0));
        Assert.Contains("example 1", ex.Message);
    }

    [Fact]
    public void LossEqualsAHandComputedLogSoftmaxOverCompletionTokensOnly()
    {
        // Two rows of length 3 over a vocabulary of 3; row 1 is right-padded at t = 2.
        // Labels (unshifted): row 0 = [-100, 2, 0] (prompt, then completion 2, 0); row 1 = [-100, 1, -100].
        float[] values =
        {
            0.5f, -1.0f, 2.0f,   1.5f, 0.0f, -0.5f,   9f, 9f, 9f,     // row 0, t = 0, 1, 2 (t = 2 predicts nothing)
            -0.3f, 0.8f, 0.1f,   7f, -7f, 7f,          3f, 1f, 2f,     // row 1 (t = 1 predicts a pad: ignored)
        };
        using Tensor logits = tensor(values, 2, 3, 3);
        using Tensor labels = tensor(new long[] { -100, 2, 0, -100, 1, -100 }, 2, 3);

        // Position t's logits score the label at t + 1: (row 0, t 0) -> 2, (row 0, t 1) -> 0, (row 1, t 0) -> 1.
        static double Nll(float[] v, int offset, int target)
        {
            double max = Math.Max(v[offset], Math.Max(v[offset + 1], v[offset + 2]));
            double sum = 0;
            for (int k = 0; k < 3; k++) sum += Math.Exp(v[offset + k] - max);
            return -(v[offset + target] - max - Math.Log(sum));
        }
        double expectedSum = Nll(values, 0, 2) + Nll(values, 3, 0) + Nll(values, 9, 1);

        Assert.Equal(expectedSum, CompletionLoss.Sum(logits, labels).item<float>(), 5);
        Assert.Equal(expectedSum / 3, CompletionLoss.Mean(logits, labels).item<float>(), 5);
    }

    [Fact]
    public void ShuffleIsASeededPermutationThatChangesPerEpoch()
    {
        int[] e0 = EpochShuffle.Order(50, seed: 7, epoch: 0);
        Assert.Equal(Enumerable.Range(0, 50), e0.Order());
        Assert.Equal(e0, EpochShuffle.Order(50, seed: 7, epoch: 0));
        Assert.NotEqual(e0, EpochShuffle.Order(50, seed: 7, epoch: 1));
        Assert.NotEqual(e0, EpochShuffle.Order(50, seed: 8, epoch: 0));
    }
}
