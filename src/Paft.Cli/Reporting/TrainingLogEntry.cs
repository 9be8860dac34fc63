namespace Paft.Cli.Reporting;

/// <summary>One optimizer step of a training run, as the training log keeps it.</summary>
/// <param name="Step">1-based optimizer step.</param>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Loss">Mean completion loss of the step.</param>
/// <param name="LearningRate">Learning rate of the step.</param>
/// <param name="TokensPerSecond">Throughput of the step.</param>
/// <param name="ValidationAccuracy">Mean validation accuracy measured after the step, when one was.</param>
internal sealed record TrainingLogEntry(int Step, int Epoch, double Loss, double LearningRate, double TokensPerSecond, double? ValidationAccuracy);
