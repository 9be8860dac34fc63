namespace Paft.Cli.Reporting;

/// <summary>One template's line of an evaluation file.</summary>
/// <param name="Id">Template id.</param>
/// <param name="Accuracy">Accuracy as a fraction.</param>
/// <param name="Count">Examples evaluated.</param>
internal sealed record TemplateAccuracy(string Id, double Accuracy, int Count);

/// <summary>
/// An evaluation as <c>paft eval</c> writes it (the JSON of <c>PromptRobustnessMetrics</c>, plus a <c>run</c>
/// object naming model, data and pool): what compare and report read. Accuracies are fractions.
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
    /// <summary>The run key naming the test set an evaluation was made on.</summary>
    public const string TestSetKey = "testSet";

    /// <summary>The <see cref="TestSetKey"/> value of the adversarial test set (absent or "clean": the clean one).</summary>
    public const string AdversarialTestSet = "adversarial";

    /// <summary>Whether this evaluation is on the adversarial test set.</summary>
    public bool IsAdversarial => Run.TryGetValue(TestSetKey, out string? set) && set == AdversarialTestSet;
}
