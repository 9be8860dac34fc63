namespace Paft.MLNet.Perturbation;

/// <summary>Settings of the <see cref="AdversarialTemplateGenerator"/>.</summary>
public sealed class AdversarialTemplateOptions
{
    /// <summary>The edits to draw from. Default all.</summary>
    public AdversarialPerturbations Perturbations { get; init; } = AdversarialPerturbations.All;

    /// <summary>Adversarial variants made from each test template. Default 1.</summary>
    public int VariantsPerTemplate { get; init; } = 1;

    /// <summary>Distinct edits combined in one variant (fewer when fewer apply to the template). Default 2.</summary>
    public int EditsPerVariant { get; init; } = 2;

    /// <summary>Share of instruction words (three letters or more) given a typo by the typo edit; at least one always is. Default 0.15.</summary>
    public double TypoRate { get; init; } = 0.15;

    /// <summary>Seed of the draws; a template's variants depend only on the seed and its id. Default 0.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        if ((Perturbations & ~AdversarialPerturbations.All) != 0 || Perturbations == AdversarialPerturbations.None)
            throw new ArgumentOutOfRangeException(nameof(Perturbations), Perturbations, "Enable at least one known perturbation.");
        if (VariantsPerTemplate < 1)
            throw new ArgumentOutOfRangeException(nameof(VariantsPerTemplate), VariantsPerTemplate, "Make at least one variant per template.");
        if (EditsPerVariant < 1)
            throw new ArgumentOutOfRangeException(nameof(EditsPerVariant), EditsPerVariant, "A variant needs at least one edit.");
        if (!(TypoRate >= 0 && TypoRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(TypoRate), TypoRate, "The typo rate is a share in [0, 1].");
    }
}
