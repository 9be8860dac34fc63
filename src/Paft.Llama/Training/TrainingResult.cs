namespace Paft.Llama.Training;

/// <summary>The outcome of <see cref="LoraTrainer.Train(Func{int, IReadOnlyList{TrainingExample}}, IProgress{TrainingProgress}?, CancellationToken)"/>.</summary>
/// <param name="Steps">Optimizer steps completed (the run's total).</param>
/// <param name="FinalLoss">Mean completion-token loss of the last step.</param>
/// <param name="LastCheckpoint">The final checkpoint folder, or null when checkpoints are off.</param>
public sealed record TrainingResult(int Steps, double FinalLoss, string? LastCheckpoint);
