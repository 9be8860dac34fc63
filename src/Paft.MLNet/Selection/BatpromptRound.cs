namespace Paft.MLNet.Selection;

/// <summary>
/// What one round of the BATprompt-style selection with a chat model did, reported through
/// <see cref="BatpromptOptions.RoundProgress"/> as soon as the round ends.
/// </summary>
/// <param name="Round">1, 2, ...</param>
/// <param name="Scored">The chat model's candidates that were accepted and scored this round.</param>
/// <param name="Rejected">This round's candidates that were not scored, each with why.</param>
/// <param name="Best">The best template over the pool and every round so far.</param>
/// <param name="StopReason">Why no further round follows (the chat request failed), or null when the loop goes on or ran all rounds.</param>
public sealed record BatpromptRound(int Round, IReadOnlyList<BatpromptStep> Scored, IReadOnlyList<string> Rejected,
    BatpromptStep Best, string? StopReason);
