namespace Paft.Llama.Inference;

/// <summary>One context and the continuations to score after it (e.g. a question and its answer options).</summary>
/// <param name="Context">The shared prefix ids; at least one token (e.g. BOS).</param>
/// <param name="Continuations">The candidate ids to score, each right after <paramref name="Context"/>.</param>
public sealed record ScoringRequest(IReadOnlyList<int> Context, IReadOnlyList<IReadOnlyList<int>> Continuations);
