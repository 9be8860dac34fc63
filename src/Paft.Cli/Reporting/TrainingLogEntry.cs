namespace Paft.Cli.Reporting;

/// <summary>One optimizer step of a training run, as the training log keeps it.</summary>
/// <param name="Step">1-based optimizer step.</param>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Loss">Mean completion loss of the step.</param>
/// <param name="LearningRate">Learning rate of the step.</param>
/// <param name="TokensPerSecond">Throughput of the step.</param>
/// <param name="ValidationAccuracy">Mean validation accuracy measured after the step, when one was.</param>
/// <param name="TemplateIds">Ids of the templates the step trained on, joined with <see cref="TemplateIdSeparator"/>; empty when unknown (older logs).</param>
internal sealed record TrainingLogEntry(int Step, int Epoch, double Loss, double LearningRate, double TokensPerSecond, double? ValidationAccuracy,
    string TemplateIds = "")
{
    /// <summary>Joins the ids of a step that trained on more than one template.</summary>
    public const string TemplateIdSeparator = ";";

    /// <summary>The ids in <see cref="TemplateIds"/>, one per template.</summary>
    public IReadOnlyList<string> TemplateIdList => TemplateIds.Length == 0 ? [] : TemplateIds.Split(TemplateIdSeparator);
}
