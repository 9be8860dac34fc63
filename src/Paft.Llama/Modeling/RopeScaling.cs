namespace Paft.Llama.Modeling;

/// <summary>
/// Llama 3.1's RoPE frequency scaling (<c>rope_scaling</c> with <c>rope_type</c> <c>llama3</c>):
/// low-frequency components are slowed by <see cref="Factor"/>, high-frequency ones kept, and the band
/// between them interpolated, so a model trained on <see cref="OriginalMaxPositionEmbeddings"/>
/// positions reaches longer contexts.
/// </summary>
/// <param name="Factor">How much the low frequencies are divided by (8 for Llama 3.1).</param>
/// <param name="LowFreqFactor">Wavelengths above original/low are fully scaled.</param>
/// <param name="HighFreqFactor">Wavelengths below original/high are not scaled.</param>
/// <param name="OriginalMaxPositionEmbeddings">The context length the model was pretrained with.</param>
public sealed record RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, double OriginalMaxPositionEmbeddings);
