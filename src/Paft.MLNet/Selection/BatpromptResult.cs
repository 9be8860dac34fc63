using Paft.MLNet.Prompts;

namespace Paft.MLNet.Selection;

/// <summary>The outcome of the BATprompt-style selection.</summary>
/// <param name="Best">The chosen template (from the pool or written by the chat model).</param>
/// <param name="Score">Its scores.</param>
/// <param name="Trace">Every template scored, in order: the pool first, then each round's accepted candidates.</param>
/// <param name="Rejected">Candidates of the chat model that were not scored, each with why (does not parse, not valid for the task, duplicate).</param>
public sealed record BatpromptResult(PromptTemplate Best, BatpromptStep Score, IReadOnlyList<BatpromptStep> Trace, IReadOnlyList<string> Rejected);
