namespace Paft.Cli.Reporting;

/// <summary>Everything a robustness report shows; <see cref="ReportWriter"/> turns it into Markdown and plots.</summary>
/// <param name="Title">The report's heading.</param>
/// <param name="Methods">
/// One evaluation a method and test set (all on the same task; within a set, on the same templates), in the order to
/// show them: a method may have a clean and an adversarial evaluation, which the report pairs.
/// </param>
/// <param name="TrainingCurves">Loss curves of the methods that were trained; may be empty.</param>
/// <param name="Sweep">Scaling-study points (test accuracy against training pool size); the figure needs at least two.</param>
/// <param name="Setup">Further facts of the setup the caller knows, shown as "name: value" lines (e.g. the demo's pools and seeds).</param>
internal sealed record ReportContent(
    string Title,
    IReadOnlyList<EvalResult> Methods,
    IReadOnlyList<(string Method, TrainingLog Log)> TrainingCurves,
    IReadOnlyList<SweepPoint> Sweep,
    IReadOnlyList<(string Name, string Value)> Setup)
{
    /// <summary>What each method cost (training and generation-mode inference, the paper's Tables 6 and 2); empty: no such sections.</summary>
    public IReadOnlyList<MethodTiming> Timings { get; init; } = [];

    /// <summary>K × epochs ablation cells (the paper's Table 3); empty: no such section.</summary>
    public IReadOnlyList<AblationPoint> Ablation { get; init; } = [];
}
