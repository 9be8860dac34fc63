using Paft.Llama.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// What every decoder layer needs to know about one forward step, worked out once per step by
/// <see cref="LlamaModel"/> (llama2.c's <c>freqs_cos</c>/<c>freqs_sin</c> and mask; Hugging Face's
/// <c>position_embeddings</c>, <c>attention_mask</c> and <c>past_key_values</c>): the rotary tables of
/// the new tokens' positions, which keys each query may see, and the KV cache the step appends to.
/// Its tensors belong to the dispose scope it was made in (the model's forward).
/// </summary>
internal sealed class StepContext
{
    private readonly Tensor? _newMask;
    private readonly bool _newPadding;

    private StepContext(Tensor cos, Tensor sin, Tensor? maskBias, bool isCausal, KvCache? cache, Tensor? newMask, bool newPadding)
    {
        Cos = cos;
        Sin = sin;
        MaskBias = maskBias;
        IsCausal = isCausal;
        Cache = cache;
        _newMask = newMask;
        _newPadding = newPadding;
    }

    /// <summary>cos of the rotary angles of the new tokens, [B, 1, T, head_dim] in the compute dtype.</summary>
    public Tensor Cos { get; }

    /// <summary>sin of the rotary angles of the new tokens, [B, 1, T, head_dim] in the compute dtype.</summary>
    public Tensor Sin { get; }

    /// <summary>
    /// The additive attention mask [B, 1, T, past + T] (0 where a query may see a key, the dtype's most
    /// negative finite value elsewhere), or null when <see cref="IsCausal"/> (or nothing) says it all.
    /// A finite value, not -inf, keeps the rows of queries at padding finite, as Hugging Face does.
    /// </summary>
    public Tensor? MaskBias { get; }

    /// <summary>Whether plain causal masking applies (only when <see cref="MaskBias"/> is null).</summary>
    public bool IsCausal { get; }

    /// <summary>The cache the layers append this step's keys and values to, or null.</summary>
    public KvCache? Cache { get; }

    /// <summary>
    /// The context of a step of <paramref name="length"/> new tokens per row.
    /// <paramref name="attentionMask"/> [B, T] (1 real, 0 padding) covers the new tokens only; the
    /// cache remembers the mask of earlier ones. Position ids are Hugging Face's: the count of real
    /// tokens before, padding at 1. Reserves room in <paramref name="cache"/> for the new tokens.
    /// </summary>
    public static StepContext Create(RotaryEmbedding rotary, LlamaConfig config, long batch, long length, Tensor? attentionMask, KvCache? cache, ScalarType dtype, Device device)
    {
        var newMask = attentionMask is null ? ones(batch, length, ScalarType.Bool, device) : attentionMask.to(ScalarType.Bool);
        // Read once per given mask, i.e. once per batch where a batch is made; decode steps pass none.
        bool newPadding = attentionMask is not null && !newMask.all().item<bool>();

        long past = 0;
        Tensor realBefore, keyMask;
        bool hasPadding = newPadding;
        if (cache is null)
        {
            realBefore = zeros(batch, ScalarType.Int64, device);
            keyMask = newMask;
        }
        else
        {
            past = cache.Length;
            cache.Reserve(batch, past + length, config, dtype, device);
            realBefore = cache.RealTokenCounts;
            keyMask = cat([cache.KeyMaskSoFar(), newMask], 1);
            hasPadding |= cache.HasPadding;
        }

        var positions = (realBefore.unsqueeze(1).add(newMask.to(ScalarType.Int64).cumsum(1), HeldScalars.One) - HeldScalars.One)
            .masked_fill(newMask.logical_not(), HeldScalars.One);
        var (cos, sin) = rotary.CosSin(positions, dtype);

        Tensor? bias = null;
        bool isCausal = false;
        if (!hasPadding && past == 0) isCausal = length > 1;            // a plain causal prefix
        else if (!hasPadding && length == 1) isCausal = false;          // one new token sees every cached key
        else bias = MaskBiasFor(keyMask, past, length, dtype);
        return new StepContext(cos, sin, bias, isCausal, cache, newMask, newPadding);
    }

    /// <summary>
    /// The context of an earlier step again, from its tensors and without a cache: gradient
    /// checkpointing recomputes a layer with it (<see cref="CheckpointedDecoderLayer"/>).
    /// </summary>
    public static StepContext Recompute(Tensor cos, Tensor sin, Tensor? maskBias, bool isCausal) =>
        new(cos, sin, maskBias, isCausal, cache: null, newMask: null, newPadding: false);

    /// <summary>Records the new tokens' mask in the cache, once every layer has appended its keys and values.</summary>
    public void CommitToCache()
    {
        if (Cache is not null && _newMask is not null)
            Cache.Commit(_newMask, _newPadding);
    }

    /// <summary>The additive mask for <paramref name="queryLength"/> queries after <paramref name="past"/> cached keys; <paramref name="keyMask"/> [B, past + T] is true at real tokens.</summary>
    private static Tensor MaskBiasFor(Tensor keyMask, long past, long queryLength, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var device = keyMask.device;
        long keys = past + queryLength;
        // Scalars held to the end of the call: see HeldScalars.
        using Scalar start = past.ToScalar(), stop = keys.ToScalar(), fill = MostNegative(dtype).ToScalar();
        var queryAt = arange(start, stop, HeldScalars.One, dtype: ScalarType.Int64, device: device).unsqueeze(1); // [T, 1]
        var keyAt = arange(HeldScalars.Zero, stop, HeldScalars.One, dtype: ScalarType.Int64, device: device).unsqueeze(0); // [1, K]
        var allowed = keyAt.le(queryAt).unsqueeze(0).logical_and(keyMask.unsqueeze(1));           // [B, T, K]
        var additive = zeros(allowed.shape, dtype, device).masked_fill(allowed.logical_not(), fill);
        return additive.unsqueeze(1).MoveToOuterDisposeScope();
    }

    private static double MostNegative(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => float.MinValue,
        ScalarType.BFloat16 => -3.3895313892515355e38,
        ScalarType.Float16 => -65504.0,
        ScalarType.Float64 => double.MinValue,
        _ => throw new NotSupportedException($"no attention mask value for dtype {dtype}"),
    };
}
