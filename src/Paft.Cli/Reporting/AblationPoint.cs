namespace Paft.Cli.Reporting;

/// <summary>One cell of the K × epochs ablation (the paper's Table 3): PAFT's test accuracy across test templates at one K and epoch count.</summary>
/// <param name="RedrawEverySteps">PAFT's K: the template was redrawn every this many optimizer steps.</param>
/// <param name="Epochs">Fine-tuning epochs.</param>
/// <param name="TrainingTemplates">Templates in the training pool.</param>
/// <param name="MeanAccuracy">Mean test accuracy over the test templates (fraction).</param>
/// <param name="AccuracyStdDev">Its standard deviation over the test templates (population, fraction).</param>
/// <param name="MinAccuracy">The worst test template's accuracy (fraction).</param>
internal sealed record AblationPoint(int RedrawEverySteps, int Epochs, int TrainingTemplates, double MeanAccuracy, double AccuracyStdDev, double MinAccuracy);
