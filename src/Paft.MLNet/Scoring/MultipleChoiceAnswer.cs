namespace Paft.MLNet.Scoring;

/// <summary>The model's answer to one rendered multiple-choice prompt.</summary>
/// <param name="PredictedIndex">The chosen option, 0-based; -1 when a generation named no option.</param>
/// <param name="Probabilities">Normalised probabilities over the options (one-hot for generation; uniform when no option was found).</param>
/// <param name="GeneratedText">The generated text, in <see cref="ScoringMode.Generation"/>; otherwise null.</param>
/// <param name="GeneratedTokens">Number of generated tokens, in <see cref="ScoringMode.Generation"/>.</param>
public sealed record MultipleChoiceAnswer(
    int PredictedIndex,
    float[] Probabilities,
    string? GeneratedText = null,
    int? GeneratedTokens = null);
