namespace Paft.Cli.Reporting;

/// <summary>
/// One setting of a scaling study: how many training templates, and the test accuracy it reached across test
/// templates. Over several seeds (<see cref="Seeds"/> above 1) the accuracies are means over the seeds and
/// <see cref="SeedStdDev"/> says how much the seeds disagreed.
/// </summary>
/// <param name="TrainingTemplates">Templates in the training pool.</param>
/// <param name="MeanAccuracy">Mean test accuracy over the test templates (fraction); over several seeds, the mean of the per-seed means.</param>
/// <param name="AccuracyStdDev">Its standard deviation over the test templates (fraction); over several seeds, the mean of the per-seed ones.</param>
internal sealed record SweepPoint(int TrainingTemplates, double MeanAccuracy, double AccuracyStdDev)
{
    /// <summary>How many seeds (each its own base model, splits and pools) the point aggregates; 1: a single run.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Sample standard deviation (n − 1) of the per-seed mean accuracies across the seeds (fraction); 0 for one seed.</summary>
    public double SeedStdDev { get; init; }
}
