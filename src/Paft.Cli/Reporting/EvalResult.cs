namespace Paft.Cli.Reporting;

/// <summary>One template's line of an evaluation file.</summary>
/// <param name="Id">Template id.</param>
/// <param name="Accuracy">Accuracy as a fraction.</param>
/// <param name="Count">Examples evaluated.</param>
/// <param name="Predicted">The option chosen for each row (-1: none), in row order; null in files written before it was recorded.</param>
internal sealed record TemplateAccuracy(string Id, double Accuracy, int Count, IReadOnlyList<int>? Predicted = null);

/// <summary>
/// An evaluation as <c>paft eval</c> writes it (the JSON of <c>PromptRobustnessMetrics</c>, plus a <c>run</c>
/// object naming model, data and pool): what compare and report read. Accuracies are fractions. The run's
/// <c>testSet</c> says which test set it was: <c>adversarial</c>, or <c>clean</c> (also when absent).
/// </summary>
internal sealed record EvalResult(
    string Method,
    string Task,
    int ExampleCount,
    double MeanAccuracy,
    double AccuracyStdDev,
    double MinAccuracy,
    double MaxAccuracy,
    double MedianAccuracy,
    double TopXThreshold,
    double TopXShare,
    IReadOnlyList<TemplateAccuracy> Templates,
    IReadOnlyDictionary<string, string> Run,
    string SourcePath)
{
    /// <summary>The correct option of each row, in row order; null in files written before it was recorded.</summary>
    public IReadOnlyList<int>? Labels { get; init; }

    /// <summary>Whether every template has its per-row predictions and the rows their labels: what paired statistics need.</summary>
    public bool HasRowPredictions => Labels is not null && Templates.All(t => t.Predicted is not null);

    /// <summary>The <c>run</c> key holding the scoring mode.</summary>
    public const string ModeKey = "mode";

    /// <summary>The <c>run</c> key holding a SHA-256 of the evaluated rows (fields and labels).</summary>
    public const string RowsHashKey = "rowsSha256";

    /// <summary>The <c>run</c> key holding a SHA-256 of the test templates (ids and texts, in order).</summary>
    public const string TemplatesHashKey = "templatesSha256";

    /// <summary>The <c>run</c> key naming the test set.</summary>
    public const string TestSetKey = "testSet";

    /// <summary>The test set of the pool's own templates.</summary>
    public const string CleanTestSet = "clean";

    /// <summary>The test set of adversarial variants of the pool's templates (<c>paft eval --adversarial</c>).</summary>
    public const string AdversarialTestSet = "adversarial";

    /// <summary><see cref="AdversarialTestSet"/> or <see cref="CleanTestSet"/>, from <see cref="Run"/> (clean when the key is absent).</summary>
    public string TestSet => IsAdversarial ? AdversarialTestSet : CleanTestSet;

    /// <summary>Whether this evaluation is on the adversarial test set.</summary>
    public bool IsAdversarial => string.Equals(Run.GetValueOrDefault(TestSetKey), AdversarialTestSet, StringComparison.Ordinal);

    /// <summary>The method, with "(adversarial)" after it for an adversarial evaluation: a label unique within a comparison.</summary>
    public string Label => IsAdversarial ? $"{Method} (adversarial)" : Method;
}
