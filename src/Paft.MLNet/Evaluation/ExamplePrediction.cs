namespace Paft.MLNet.Evaluation;

/// <summary>
/// The model's answer to one example under one prompt template.
/// </summary>
/// <param name="Label">The correct option, 0-based.</param>
/// <param name="PredictedIndex">The option the model chose, 0-based, or -1 when no answer could be
/// extracted from its generation (counted as wrong).</param>
/// <param name="Probabilities">The model's probability (or any non-negative score) of each option,
/// when the options were scored by likelihood; normalised to sum to 1 before evaluation. When given,
/// <paramref name="PredictedIndex"/> must be its first maximum. Null for generated answers.</param>
/// <param name="GeneratedCharacters">Length of the generated text, for generated answers.</param>
/// <param name="GeneratedTokens">Number of generated tokens, when known.</param>
public sealed record ExamplePrediction(
    int Label,
    int PredictedIndex,
    IReadOnlyList<float>? Probabilities = null,
    int? GeneratedCharacters = null,
    int? GeneratedTokens = null)
{
    /// <summary>The prediction for a generated answer, from what <see cref="AnswerExtractor.Extract"/> found.</summary>
    public static ExamplePrediction FromGeneration(int label, ExtractedAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return new ExamplePrediction(label, answer.Index, null, answer.GeneratedCharacters, answer.GeneratedTokens)
        {
            Extractor = AnswerExtractor.Version,
        };
    }

    /// <summary>
    /// What read the answer from the generated text — <see cref="AnswerExtractor.Version"/> for
    /// <see cref="FromGeneration"/> and the library's generation mode — so evaluation files can name it; null for
    /// options scored by likelihood, or when the caller read the answer some other way and did not say how.
    /// </summary>
    public string? Extractor { get; init; }

    /// <summary>Whether the model chose the correct option.</summary>
    public bool IsCorrect => PredictedIndex == Label;
}
