namespace Paft.MLNet.Perturbation;

/// <summary>The edits an <see cref="AdversarialTemplateGenerator"/> may make to a test template.</summary>
[Flags]
public enum AdversarialPerturbations
{
    /// <summary>No edit.</summary>
    None = 0,

    /// <summary>Typos in the instruction words (never inside a placeholder, never in the final answer cue).</summary>
    Typos = 1,

    /// <summary>Options switched between one per line and all on one line.</summary>
    OptionLayout = 2,

    /// <summary>The option labels restyled consistently, e.g. <c>A.</c> → <c>(A)</c> → <c>A)</c> → <c>A:</c>.</summary>
    LabelStyle = 4,

    /// <summary>An irrelevant sentence inserted at the start of a line.</summary>
    Distractor = 8,

    /// <summary>A leading instruction moved after the content (before the answer cue), or a trailing one moved to the front.</summary>
    InstructionMove = 16,

    /// <summary>Every edit.</summary>
    All = Typos | OptionLayout | LabelStyle | Distractor | InstructionMove,
}
