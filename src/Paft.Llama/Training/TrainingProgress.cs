namespace Paft.Llama.Training;

/// <summary>What a <see cref="TrainingProgress"/> report describes.</summary>
public enum TrainingProgressKind
{
    /// <summary>One optimizer step finished.</summary>
    Step,

    /// <summary>One epoch finished.</summary>
    Epoch,
}

/// <summary>A progress report of <see cref="LoraTrainer"/>, sent synchronously after each step and epoch.</summary>
/// <param name="Kind">Step or epoch.</param>
/// <param name="Epoch">0-based epoch the report belongs to.</param>
/// <param name="Step">Optimizer steps completed so far in the run (1-based count).</param>
/// <param name="TotalSteps">Optimizer steps of the whole run.</param>
/// <param name="Loss">Mean completion-token loss of the step, or of the epoch (token-weighted).</param>
/// <param name="LearningRate">The learning rate the step used (for an epoch report, that of its last step).</param>
/// <param name="GradientNorm">The step's global gradient norm before clipping (NaN in epoch reports).</param>
/// <param name="TokensPerSecond">Non-padding tokens processed per second of the step (or epoch).</param>
public sealed record TrainingProgress(
    TrainingProgressKind Kind,
    int Epoch,
    int Step,
    int TotalSteps,
    double Loss,
    double LearningRate,
    double GradientNorm,
    double TokensPerSecond)
{
    /// <summary>
    /// The distinct <see cref="TrainingExample.TemplateId"/>s of the step's examples, in the order they were
    /// visited (one id when a step trains on one template); empty in epoch reports and for untagged examples.
    /// </summary>
    public IReadOnlyList<string> TemplateIds { get; init; } = [];
}
