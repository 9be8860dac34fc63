namespace Paft.MLNet.Perturbation;

/// <summary>The kinds of character-level noise a <see cref="TextPerturber"/> may apply.</summary>
[Flags]
public enum TextPerturbationKinds
{
    /// <summary>No noise.</summary>
    None = 0,

    /// <summary>A letter or digit swapped with the next one (<c>form</c> → <c>from</c>).</summary>
    AdjacentSwap = 1,

    /// <summary>A letter or digit dropped.</summary>
    Deletion = 2,

    /// <summary>A random lower-case letter inserted after a letter or digit.</summary>
    Insertion = 4,

    /// <summary>A letter's case flipped.</summary>
    CaseFlip = 8,

    /// <summary>A whitespace character dropped (words run together) or doubled.</summary>
    Whitespace = 16,

    /// <summary>A punctuation mark dropped or followed by a stray one.</summary>
    Punctuation = 32,

    /// <summary>Every kind.</summary>
    All = AdjacentSwap | Deletion | Insertion | CaseFlip | Whitespace | Punctuation,
}
