using Paft.Llama.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// Rotary position embedding in Hugging Face's <c>rotate_half</c> convention (the two halves of a head
/// are the pair rotated together), with Llama 3.1 frequency scaling when the config asks for it.
/// Angles are computed in float64 from the position ids, then cast to the compute dtype, so long
/// positions lose no precision.
/// </summary>
internal sealed class RotaryEmbedding
{
    private readonly double[] _invFreq;

    public RotaryEmbedding(LlamaConfig config)
    {
        int half = config.HeadDim / 2;
        _invFreq = new double[half];
        for (int i = 0; i < half; i++)
            _invFreq[i] = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / config.HeadDim);
        if (config.RopeScaling is { } s)
            ApplyLlama3Scaling(_invFreq, s);
    }

    /// <summary>The inverse frequencies, [head_dim / 2].</summary>
    public IReadOnlyList<double> InverseFrequencies => _invFreq;

    /// <summary>
    /// Llama 3.1: wavelengths longer than original/low_freq_factor are divided by factor, shorter than
    /// original/high_freq_factor kept, and the band between interpolated smoothly.
    /// </summary>
    private static void ApplyLlama3Scaling(double[] invFreq, RopeScaling s)
    {
        double lowFreqWavelen = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        double highFreqWavelen = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        for (int i = 0; i < invFreq.Length; i++)
        {
            double wavelen = 2 * Math.PI / invFreq[i];
            if (wavelen > lowFreqWavelen)
            {
                invFreq[i] /= s.Factor;
            }
            else if (wavelen >= highFreqWavelen)
            {
                double smooth = (s.OriginalMaxPositionEmbeddings / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                invFreq[i] = (1 - smooth) * invFreq[i] / s.Factor + smooth * invFreq[i];
            }
        }
    }

    /// <summary>cos and sin for <paramref name="positionIds"/> [B, T], each [B, 1, T, head_dim] in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) CosSin(Tensor positionIds, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var inv = tensor(_invFreq, ScalarType.Float64, positionIds.device);
        var freqs = positionIds.to(ScalarType.Float64).unsqueeze(-1) * inv;   // [B, T, D/2]
        var angles = cat([freqs, freqs], -1).unsqueeze(1);                    // [B, 1, T, D]
        var cos = angles.cos().to(dtype);
        var sin = angles.sin().to(dtype);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    /// <summary>Rotates <paramref name="x"/> [B, heads, T, D] by the angles: x·cos + rotate_half(x)·sin.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat([x2.neg(), x1], -1);
        return (x * cos).add(rotated * sin, HeldScalars.One).MoveToOuterDisposeScope(); // explicit alpha: see HeldScalars
    }
}
