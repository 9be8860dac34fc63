namespace Paft.MLNet.Evaluation;

/// <summary>What <see cref="AnswerExtractor.Extract"/> found in one generation.</summary>
/// <param name="Letter">The answer label found, or null when none was.</param>
/// <param name="Index">The 0-based option index of <paramref name="Letter"/>, or -1 when none was found.</param>
/// <param name="GeneratedCharacters">Length of the generated text in UTF-16 characters.</param>
/// <param name="GeneratedTokens">Number of generated tokens, when known.</param>
public sealed record ExtractedAnswer(string? Letter, int Index, int GeneratedCharacters, int? GeneratedTokens);
