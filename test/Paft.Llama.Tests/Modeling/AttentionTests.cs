using Paft.Llama.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Modeling;

/// <summary>
/// The model's attention (libtorch's fused kernel, masked as the step context says) against softmax
/// computed explicitly in fp32 as Hugging Face's eager attention does, for every kind of step: a causal
/// prefix, a left-padded batch, and decode steps over a cache with and without padding.
/// </summary>
public class AttentionTests
{
    private const long Heads = 4, HeadDim = 12;

    [Fact]
    public void FusedAttentionMatchesExplicitFp32SoftmaxForEveryKindOfStep()
    {
        using var model = RandomModels.Create();
        var rotary = new RotaryEmbedding(model.Config);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        using var padded = tensor(new long[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 6], ScalarType.Int64);

        // A causal prefix without padding: no mask tensor, the causal flag.
        var prefix = StepContext.Create(rotary, model.Config, 1, 6, null, null, ScalarType.Float32, CPU);
        Assert.True(prefix.IsCausal);
        Assert.Null(prefix.MaskBias);
        AssertMatches(prefix, batch: 1, queries: 6, keys: 6, realQueries: null, generator);

        // A left-padded batch: an additive mask.
        var leftPadded = StepContext.Create(rotary, model.Config, 2, 6, padded, null, ScalarType.Float32, CPU);
        Assert.NotNull(leftPadded.MaskBias);
        AssertMatches(leftPadded, batch: 2, queries: 6, keys: 6, realQueries: padded, generator);

        // One decode step after the padded prompt: the cache's padding stays masked.
        using var paddedCache = new KvCache();
        using var ids = tensor(new long[] { 0, 0, 5, 9, 11, 3, 4, 17, 22, 8, 9, 10 }, [2, 6], ScalarType.Int64);
        model.forward(ids, padded, paddedCache).Dispose();
        var decodeAfterPadding = StepContext.Create(rotary, model.Config, 2, 1, null, paddedCache, ScalarType.Float32, CPU);
        Assert.NotNull(decodeAfterPadding.MaskBias);
        AssertMatches(decodeAfterPadding, batch: 2, queries: 1, keys: 7, realQueries: null, generator);

        // One decode step after an unpadded prompt: it sees every key, no mask at all.
        using var cache = new KvCache();
        model.forward(ids.narrow(0, 1, 1), null, cache).Dispose();
        var decode = StepContext.Create(rotary, model.Config, 1, 1, null, cache, ScalarType.Float32, CPU);
        Assert.False(decode.IsCausal);
        Assert.Null(decode.MaskBias);
        AssertMatches(decode, batch: 1, queries: 1, keys: 7, realQueries: null, generator);
    }

    private static void AssertMatches(StepContext step, long batch, long queries, long keys, Tensor? realQueries, Generator generator)
    {
        var q = randn([batch, Heads, queries, HeadDim], generator: generator);
        var k = randn([batch, Heads, keys, HeadDim], generator: generator);
        var v = randn([batch, Heads, keys, HeadDim], generator: generator);
        var fused = LlamaAttention.Attend(q, k, v, step);
        var reference = ExplicitAttention(q, k, v, step);
        for (long b = 0; b < batch; b++)
        {
            for (long t = 0; t < queries; t++)
            {
                // A query at padding attends to nothing real; its output is never used.
                if (realQueries is not null && realQueries[b, t].item<long>() == 0) continue;
                double diff = Fixtures.MaxAbsDiff(fused[b, .., t], reference[b, .., t]);
                Assert.True(diff < 1e-5, $"row {b}, query {t}: max |fused - explicit| = {diff}");
            }
        }
    }

    /// <summary>softmax(q kᵀ / √d + mask) v with the softmax in fp32 and the causal mask spelt out.</summary>
    private static Tensor ExplicitAttention(Tensor q, Tensor k, Tensor v, StepContext step)
    {
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(q.shape[^1]);
        if (step.MaskBias is not null)
        {
            scores = scores + step.MaskBias;
        }
        else if (step.IsCausal)
        {
            long t = q.shape[2], kLen = k.shape[2];
            var future = ones(t, kLen, ScalarType.Bool).triu(1 + kLen - t);
            scores = scores.masked_fill(future, double.NegativeInfinity);
        }
        return scores.to(ScalarType.Float32).softmax(-1).to(q.dtype).matmul(v);
    }
}
