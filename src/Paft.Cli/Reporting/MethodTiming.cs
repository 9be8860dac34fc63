namespace Paft.Cli.Reporting;

/// <summary>
/// What one method cost in a run (the paper's Tables 6 and 2): choosing its template and fine-tuning, and
/// answering test prompts in generation mode. Seconds as measured on one machine in one run.
/// </summary>
/// <param name="Method">The method's name.</param>
/// <param name="SelectionSeconds">Choosing the training template (0 when nothing is chosen).</param>
/// <param name="TrainingSeconds">Fine-tuning (0 for the base model).</param>
/// <param name="Generation">Generation-mode inference, or null when not measured.</param>
internal sealed record MethodTiming(string Method, double SelectionSeconds, double TrainingSeconds, GenerationTiming? Generation)
{
    /// <summary>Selection and fine-tuning: the cost of producing the model.</summary>
    public double TotalSeconds => SelectionSeconds + TrainingSeconds;
}

/// <summary>Generation-mode inference of one method.</summary>
/// <param name="Prompts">Prompts answered, one at a time.</param>
/// <param name="Seconds">Wall time for all of them.</param>
/// <param name="MeanGeneratedTokens">Mean tokens generated per prompt.</param>
/// <param name="AnswerAccuracy">Share of prompts whose generated answer was right.</param>
internal sealed record GenerationTiming(int Prompts, double Seconds, double MeanGeneratedTokens, double AnswerAccuracy)
{
    /// <summary>Mean wall time per prompt in milliseconds.</summary>
    public double MillisecondsPerPrompt => Prompts == 0 ? 0 : 1000 * Seconds / Prompts;
}
