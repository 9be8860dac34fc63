namespace Paft.Cli.Reporting;

/// <summary>
/// One cell of the K × epochs ablation (the paper's Table 3): PAFT's test accuracy across test templates at one K
/// and epoch count. Over several seeds (<see cref="Seeds"/> above 1) the accuracies are means over the seeds and
/// <see cref="SeedStdDev"/> says how much the seeds disagreed.
/// </summary>
/// <param name="RedrawEverySteps">PAFT's K: the template was redrawn every this many optimizer steps.</param>
/// <param name="Epochs">Fine-tuning epochs.</param>
/// <param name="TrainingTemplates">Templates in the training pool.</param>
/// <param name="MeanAccuracy">Mean test accuracy over the test templates (fraction); over several seeds, the mean of the per-seed means.</param>
/// <param name="AccuracyStdDev">Its standard deviation over the test templates (population, fraction); over several seeds, the mean of the per-seed ones.</param>
/// <param name="MinAccuracy">The worst test template's accuracy (fraction); over several seeds, the mean of the per-seed worst.</param>
internal sealed record AblationPoint(int RedrawEverySteps, int Epochs, int TrainingTemplates, double MeanAccuracy, double AccuracyStdDev, double MinAccuracy)
{
    /// <summary>How many seeds (each its own base model, splits and pools) the cell aggregates; 1: a single run.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Sample standard deviation (n − 1) of the per-seed mean accuracies across the seeds (fraction); 0 for one seed.</summary>
    public double SeedStdDev { get; init; }
}
