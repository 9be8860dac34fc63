namespace Paft.MLNet.Augmentation;

/// <summary>How the augmentation transform draws a template for each group of rows.</summary>
public enum TemplateSampling
{
    /// <summary>Every template equally likely (the PAFT paper).</summary>
    Uniform,

    /// <summary>
    /// Templates drawn in proportion to per-template weights, which may change between epochs
    /// (curriculum or hardness sampling).
    /// </summary>
    Weighted,
}
