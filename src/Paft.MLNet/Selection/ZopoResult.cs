using Paft.MLNet.Prompts;

namespace Paft.MLNet.Selection;

/// <summary>The outcome of a ZOPO-style template search.</summary>
/// <param name="Best">The evaluated template with the highest observed accuracy (the earliest on ties).</param>
/// <param name="BestAccuracy">Its observed accuracy.</param>
/// <param name="Trace">Every evaluation, in order.</param>
public sealed record ZopoResult(PromptTemplate Best, double BestAccuracy, IReadOnlyList<ZopoStep> Trace);
