using Paft.Llama.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// Which keys each query may see, for one forward step: either plain causal (no padding, no cache),
/// nothing (a single new token with no padding: it sees every key), or an explicit additive mask
/// [B, 1, T, past + T] holding 0 where allowed and the dtype's most negative finite value elsewhere.
/// A finite value (not -inf) keeps fully masked rows (queries at padding) finite, as Hugging Face does.
/// </summary>
internal sealed class AttentionMask : IDisposable
{
    private readonly bool _ownsAdditive;

    private AttentionMask(Tensor? additive, bool isCausal, bool ownsAdditive = true)
    {
        Additive = additive;
        IsCausal = isCausal;
        _ownsAdditive = ownsAdditive;
    }

    /// <summary>The additive mask, or null.</summary>
    public Tensor? Additive { get; }

    /// <summary>Whether plain causal masking applies (only when <see cref="Additive"/> is null).</summary>
    public bool IsCausal { get; }

    /// <summary>
    /// Builds the mask for <paramref name="queryLength"/> new positions after <paramref name="past"/>
    /// cached ones; <paramref name="keyMask"/> [B, past + T] is true at real tokens, false at padding.
    /// </summary>
    public static AttentionMask Create(Tensor keyMask, long past, long queryLength, bool hasPadding, ScalarType dtype)
    {
        if (!hasPadding)
        {
            if (past == 0) return new AttentionMask(null, queryLength > 1);
            if (queryLength == 1) return new AttentionMask(null, false);
        }
        using var scope = NewDisposeScope();
        var device = keyMask.device;
        long keys = past + queryLength;
        // Scalars held to the end of the call: see HeldScalars.
        using Scalar start = past.ToScalar(), stop = keys.ToScalar(), fill = MostNegative(dtype).ToScalar();
        var queryAt = arange(start, stop, HeldScalars.One, dtype: ScalarType.Int64, device: device).unsqueeze(1); // [T, 1]
        var keyAt = arange(HeldScalars.Zero, stop, HeldScalars.One, dtype: ScalarType.Int64, device: device).unsqueeze(0); // [1, K]
        var allowed = keyAt.le(queryAt).unsqueeze(0).logical_and(keyMask.unsqueeze(1));           // [B, T, K]
        var additive = zeros(allowed.shape, dtype, device).masked_fill(allowed.logical_not(), fill);
        return new AttentionMask(additive.unsqueeze(1).MoveToOuterDisposeScope(), false);
    }

    /// <summary>
    /// The mask of an earlier step again, from its parts (gradient checkpointing recomputes a layer with
    /// them); disposing it leaves <paramref name="additive"/> to its owner.
    /// </summary>
    public static AttentionMask Rebuild(Tensor? additive, bool isCausal) => new(additive, isCausal, ownsAdditive: false);

    private static double MostNegative(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => float.MinValue,
        ScalarType.BFloat16 => -3.3895313892515355e38,
        ScalarType.Float16 => -65504.0,
        ScalarType.Float64 => double.MinValue,
        _ => throw new NotSupportedException($"no attention mask value for dtype {dtype}"),
    };

    public void Dispose()
    {
        if (_ownsAdditive) Additive?.Dispose();
    }
}
