namespace Paft.Cli.Project;

/// <summary>What the last <c>paft train --config</c> of a project produced, written back into the project file.</summary>
/// <param name="ModelFolder">The saved model folder (relative to the project file).</param>
/// <param name="FinishedAt">When the model was saved (UTC).</param>
/// <param name="Seconds">Wall-clock seconds of the run.</param>
/// <param name="PaftVersion">The Paft.MLNet version that trained it.</param>
/// <param name="Steps">Optimizer steps trained.</param>
/// <param name="FinalLoss">Loss of the last step.</param>
/// <param name="ValidationAccuracy">The last validation accuracy measured during training, if any was.</param>
/// <param name="AdapterSha256">SHA-256 of <c>adapter_model.safetensors</c>: a rerun that reproduces the model has the same.</param>
internal sealed record PaftRunOutcome(
    string ModelFolder,
    DateTimeOffset FinishedAt,
    double Seconds,
    string PaftVersion,
    int Steps,
    double FinalLoss,
    double? ValidationAccuracy,
    string? AdapterSha256);
