namespace Paft.MLNet.Evaluation;

/// <summary>Summary statistics of the per-template accuracies.</summary>
internal static class AccuracyStatistics
{
    public static double Mean(IReadOnlyList<double> values) => values.Average();

    /// <summary>Population standard deviation (divide by n): the test templates are the whole set being
    /// described, not a sample from which to estimate a wider population; it is also numpy's default.</summary>
    public static double PopulationStdDev(IReadOnlyList<double> values)
    {
        double mean = Mean(values);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    /// <summary>Sample standard deviation (divide by n-1, as pandas' default), or null for fewer than two values.</summary>
    public static double? SampleStdDev(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
            return null;
        double mean = Mean(values);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>The middle value; the mean of the two middle values when the count is even.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The share of values that reach <paramref name="threshold"/>. A tolerance of 1e-9 keeps
    /// an accuracy such as 17/20 from missing 0.85 through rounding.</summary>
    public static double ShareReaching(IReadOnlyList<double> values, double threshold) =>
        (double)values.Count(v => v >= threshold - 1e-9) / values.Count;
}
