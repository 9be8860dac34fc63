namespace Paft.Cli.Reporting;

/// <summary>
/// Folds per-seed results into one point a setting: the mean over the seeds of each per-seed number, and the
/// sample standard deviation (n − 1) of the per-seed mean accuracies — the spread ACROSS SEEDS, which says
/// whether two neighbouring settings differ by more than a reseed does (the across-template spread does not).
/// Settings keep the order of their first row.
/// </summary>
internal static class SeedAggregate
{
    public static IReadOnlyList<SweepPoint> Sweep(IEnumerable<SeedRow<SweepPoint>> rows) =>
        rows.GroupBy(r => r.Point.TrainingTemplates).Select(g =>
        {
            SweepPoint[] points = Checked(g);
            return new SweepPoint(g.Key, points.Average(p => p.MeanAccuracy), points.Average(p => p.AccuracyStdDev))
            {
                Seeds = points.Length,
                SeedStdDev = SampleStdDev(points.Select(p => p.MeanAccuracy).ToArray()),
            };
        }).ToList();

    public static IReadOnlyList<AblationPoint> Ablation(IEnumerable<SeedRow<AblationPoint>> rows) =>
        rows.GroupBy(r => (r.Point.RedrawEverySteps, r.Point.Epochs)).Select(g =>
        {
            AblationPoint[] points = Checked(g);
            // Every seed trains on its full pool, and the pool's size does not depend on the seed.
            return new AblationPoint(g.Key.RedrawEverySteps, g.Key.Epochs, points[0].TrainingTemplates,
                points.Average(p => p.MeanAccuracy), points.Average(p => p.AccuracyStdDev), points.Average(p => p.MinAccuracy))
            {
                Seeds = points.Length,
                SeedStdDev = SampleStdDev(points.Select(p => p.MeanAccuracy).ToArray()),
            };
        }).ToList();

    /// <summary>Sample standard deviation (divides by n − 1); 0 for fewer than two values.</summary>
    public static double SampleStdDev(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
            return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    private static T[] Checked<TKey, T>(IGrouping<TKey, SeedRow<T>> group)
    {
        // A seed counted twice would weigh double and shrink the spread.
        if (group.Select(r => r.Seed).Distinct().Count() != group.Count())
            throw new InvalidDataException($"Setting {group.Key} has more than one row for a seed.");
        return group.Select(r => r.Point).ToArray();
    }
}
