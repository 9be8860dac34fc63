namespace Paft.Llama.Training;

/// <summary>
/// Training met a non-finite loss or gradient and stopped before the optimizer applied it. The adapter
/// in memory may be unusable; the last checkpoint on disk (<see cref="LastCheckpoint"/>) is intact.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string what, int step, int epoch, int batch, string? lastCheckpoint)
        : base($"Training diverged at step {step} (epoch {epoch}, batch {batch}): {what}. " +
               (lastCheckpoint is null ? "No checkpoint was written before it." : $"The last good checkpoint is '{lastCheckpoint}'."))
    {
        Step = step;
        Epoch = epoch;
        Batch = batch;
        LastCheckpoint = lastCheckpoint;
    }

    /// <summary>The 1-based optimizer step that failed.</summary>
    public int Step { get; }

    /// <summary>The 0-based epoch of that step.</summary>
    public int Epoch { get; }

    /// <summary>The 0-based micro-batch index within the epoch where it was detected.</summary>
    public int Batch { get; }

    /// <summary>The newest complete checkpoint folder, or null.</summary>
    public string? LastCheckpoint { get; }
}
