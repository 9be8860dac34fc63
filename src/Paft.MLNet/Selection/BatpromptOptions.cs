using Paft.MLNet.Perturbation;

namespace Paft.MLNet.Selection;

/// <summary>Settings of the BATprompt-style robust prompt selection.</summary>
public sealed class BatpromptOptions
{
    /// <summary>The character noise put on the validation examples. Default: all kinds at rate 0.05.</summary>
    public TextPerturbationOptions Perturbation { get; init; } = new();

    /// <summary>How many independently perturbed copies of the validation rows each template is scored on. Default 2.</summary>
    public int PerturbedCopies { get; init; } = 2;

    /// <summary>
    /// With a chat client: also rewrite the context fields (not the options) of each perturbed copy with
    /// synonyms or a paraphrase before the character noise. Null (default): no rewrites.
    /// </summary>
    public ChatRewriteKind? ChatRewrite { get; init; }

    /// <summary>How templates are ranked. Default <see cref="BatpromptCriterion.LeastDrop"/>.</summary>
    public BatpromptCriterion Criterion { get; init; } = BatpromptCriterion.LeastDrop;

    /// <summary>With a chat client: rounds of asking for improved templates. Default 3.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>With a chat client: templates asked for per round. Default 4.</summary>
    public int CandidatesPerRound { get; init; } = 4;

    /// <summary>With a chat client: failed perturbed examples shown to the model per round. Default 4.</summary>
    public int FailuresShown { get; init; } = 4;

    /// <summary>
    /// With a chat client: told of each round's outcome as it ends (candidates scored and rejected, the best so
    /// far, why the rounds stopped), on the selecting thread. Null (default): no reports.
    /// </summary>
    public IProgress<BatpromptRound>? RoundProgress { get; init; }

    /// <summary>Seed of the noise. Default 0.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Perturbation, nameof(Perturbation));
        Perturbation.Validate();
        if (PerturbedCopies < 1)
            throw new ArgumentOutOfRangeException(nameof(PerturbedCopies), PerturbedCopies, "Score on at least one perturbed copy.");
        if (Rounds < 0)
            throw new ArgumentOutOfRangeException(nameof(Rounds), Rounds, "Rounds must not be negative.");
        if (CandidatesPerRound < 1)
            throw new ArgumentOutOfRangeException(nameof(CandidatesPerRound), CandidatesPerRound, "Ask for at least one candidate per round.");
        if (FailuresShown < 0)
            throw new ArgumentOutOfRangeException(nameof(FailuresShown), FailuresShown, "FailuresShown must not be negative.");
    }
}
