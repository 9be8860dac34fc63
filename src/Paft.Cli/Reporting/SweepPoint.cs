namespace Paft.Cli.Reporting;

/// <summary>One run of a scaling study: how many training templates, and the test accuracy it reached across test templates.</summary>
/// <param name="TrainingTemplates">Templates in the training pool.</param>
/// <param name="MeanAccuracy">Mean test accuracy over the test templates (fraction).</param>
/// <param name="AccuracyStdDev">Its standard deviation over the test templates (fraction).</param>
internal sealed record SweepPoint(int TrainingTemplates, double MeanAccuracy, double AccuracyStdDev);
