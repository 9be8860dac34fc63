namespace Paft.MLNet.Prompts;

/// <summary>
/// The phrases a template ends with to ask for the answer letter. PAFT's targets are the letter right
/// after the cue, so a template without one leaves the model guessing where the answer goes.
/// </summary>
internal static class AnswerCues
{
    /// <summary>Cues recognised at the end of a template (case-insensitive), longest first so the report names the specific one.</summary>
    public static readonly string[] Known =
    [
        "The correct answer is:", "The correct answer is", "The answer is:", "The answer is",
        "Correct answer:", "Correct option:", "Your answer:", "Your choice:", "Best option:", "Best choice:",
        "Answer:", "Response:", "Choice:", "Option:", "Answer",
    ];

    /// <summary>The cue <paramref name="text"/> ends with (ignoring trailing whitespace), or null.</summary>
    public static string? EndingOf(string text)
    {
        ReadOnlySpan<char> trimmed = text.AsSpan().TrimEnd();
        foreach (string cue in Known)
            if (trimmed.EndsWith(cue, StringComparison.OrdinalIgnoreCase))
                return cue;
        return null;
    }
}
