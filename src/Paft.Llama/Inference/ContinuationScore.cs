namespace Paft.Llama.Inference;

/// <summary>How likely the model finds one continuation after its context.</summary>
/// <param name="LogLikelihood">Sum of the natural-log probabilities of the continuation's tokens.</param>
/// <param name="TokenCount">Number of continuation tokens (for length-normalised scores).</param>
/// <param name="IsGreedy">Whether every continuation token is the model's most likely next token.</param>
public sealed record ContinuationScore(double LogLikelihood, int TokenCount, bool IsGreedy);
