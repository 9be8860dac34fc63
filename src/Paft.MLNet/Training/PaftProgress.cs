namespace Paft.MLNet.Training;

/// <summary>A training progress report of <see cref="PaftTrainer"/>.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">Optimizer steps done so far.</param>
/// <param name="TotalSteps">Optimizer steps of the whole run.</param>
/// <param name="Loss">Mean completion loss of the last step.</param>
/// <param name="LearningRate">Learning rate of the last step.</param>
/// <param name="TokensPerSecond">Training throughput of the last step.</param>
/// <param name="ValidationAccuracy">Mean validation accuracy over the validation templates, when this report carries one.</param>
public sealed record PaftProgress(
    int Epoch, int Step, int TotalSteps, double Loss, double LearningRate, double TokensPerSecond, double? ValidationAccuracy = null)
{
    /// <summary>
    /// Ids of the templates the step trained on, in visiting order: one id, the same for the K steps of a draw
    /// (<see cref="PaftTrainerOptions.RedrawEverySteps"/>). Empty in the report that closes an epoch.
    /// </summary>
    public IReadOnlyList<string> TemplateIds { get; init; } = [];
}
