namespace Paft.Demo;

/// <summary>
/// What one method cost, measured in the run (the paper's Tables 2 and 6): choosing its training template,
/// fine-tuning, and answering in generation mode. Seconds on this machine; compare methods of one run only.
/// </summary>
/// <param name="SelectionSeconds">Choosing the training template on validation examples with the base model (0 when nothing is chosen).</param>
/// <param name="TrainingSeconds">LoRA fine-tuning (0 for the base model).</param>
/// <param name="Generation">Generation-mode inference, or null when it was not measured.</param>
public sealed record DemoMethodTiming(double SelectionSeconds, double TrainingSeconds, DemoGeneration? Generation)
{
    /// <summary>Selection and fine-tuning together: the cost of producing the model.</summary>
    public double TotalTrainingSeconds => SelectionSeconds + TrainingSeconds;
}

/// <summary>
/// Answers generated greedily, one prompt at a time, until the end-of-sequence token or the token limit:
/// the paper's inference-time measurement, where a fine-tuned model is faster because it answers briefly.
/// </summary>
/// <param name="Prompts">Prompts answered.</param>
/// <param name="Seconds">Wall time for all of them.</param>
/// <param name="MeanGeneratedTokens">Mean tokens generated per prompt (the end-of-sequence token not counted).</param>
/// <param name="AnswerAccuracy">The library's generation-mode accuracy on these prompts (<c>ScoringMode.Generation</c>: the first option letter in the answer; near 0 for models trained on option text, which answer in words).</param>
public sealed record DemoGeneration(int Prompts, double Seconds, double MeanGeneratedTokens, double AnswerAccuracy)
{
    /// <summary>Mean wall time per prompt, in milliseconds.</summary>
    public double MillisecondsPerPrompt => Prompts == 0 ? 0 : 1000 * Seconds / Prompts;
}
