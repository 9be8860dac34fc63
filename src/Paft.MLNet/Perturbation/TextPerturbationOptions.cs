namespace Paft.MLNet.Perturbation;

/// <summary>How much and which character noise a <see cref="TextPerturber"/> applies.</summary>
public sealed class TextPerturbationOptions
{
    /// <summary>
    /// Probability that a character is edited, in [0, 1] (characters no enabled kind applies to are left
    /// alone). Default 0.05: about one edit every twenty characters.
    /// </summary>
    public double Rate { get; init; } = 0.05;

    /// <summary>The kinds of noise to draw from, uniformly among those that apply to a character. Default all.</summary>
    public TextPerturbationKinds Kinds { get; init; } = TextPerturbationKinds.All;

    internal void Validate()
    {
        if (!(Rate >= 0 && Rate <= 1))
            throw new ArgumentOutOfRangeException(nameof(Rate), Rate, "The perturbation rate is a probability in [0, 1].");
        if ((Kinds & ~TextPerturbationKinds.All) != 0)
            throw new ArgumentOutOfRangeException(nameof(Kinds), Kinds, "Unknown perturbation kind.");
    }
}
