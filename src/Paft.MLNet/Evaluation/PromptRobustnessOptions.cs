namespace Paft.MLNet.Evaluation;

/// <summary>Settings of <see cref="PromptRobustnessEvaluator"/>.</summary>
public sealed class PromptRobustnessOptions
{
    /// <summary>The accuracy (a fraction, e.g. 0.85) a template must reach to count for Top-X%.
    /// Null: the paper's threshold for the task (<see cref="TopXThresholds.For"/>), or <see cref="TopXThresholds.Default"/> for other tasks.</summary>
    public double? TopXThreshold { get; init; }

    /// <summary>How many of the worst templates to list. Default 5.</summary>
    public int WorstCount { get; init; } = 5;
}
