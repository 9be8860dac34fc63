using System.Globalization;

namespace Paft.Cli.Reporting;

/// <summary>
/// One method against the reference on one test set: the mean accuracy difference over the shared templates and rows,
/// its 95% two-level bootstrap interval, and the Wilcoxon signed-rank test across templates. A statistic that cannot
/// be computed is null, and <see cref="Note"/> says why.
/// </summary>
internal sealed record PairedRow(
    string Method,
    string Reference,
    string TestSet,
    int Templates,
    int Rows,
    double MeanDifference,
    double? IntervalLow,
    double? IntervalHigh,
    WilcoxonResult? Wilcoxon,
    string? Note);

/// <summary>
/// <c>paft compare</c>'s paired statistics: every method against a reference method, within each test set, on the
/// templates both were evaluated on (paired by id) and the same rows.
/// </summary>
internal static class PairedComparison
{
    /// <summary>
    /// The reference: <paramref name="requested"/> when given (it must be a method of the comparison); else <c>sft</c> if
    /// present (PAFT's question is whether it beats single-template fine-tuning), else <c>base</c>, else the first method.
    /// </summary>
    public static string ChooseReference(IReadOnlyList<string> methods, string? requested)
    {
        if (requested is not null)
            return methods.Contains(requested, StringComparer.Ordinal)
                ? requested
                : throw new ArgumentException($"--reference '{requested}' is not one of the compared methods ({string.Join(", ", methods)}).");
        foreach (string preferred in new[] { "sft", "base" })
            if (methods.Contains(preferred, StringComparer.Ordinal))
                return preferred;
        return methods[0];
    }

    /// <summary>A row for every method other than the reference that has an evaluation on a test set the reference has too.</summary>
    public static IReadOnlyList<PairedRow> Compute(ComparisonTable table, string reference, int resamples = PairedStatistics.DefaultResamples,
        int seed = PairedStatistics.DefaultSeed)
    {
        var rows = new List<PairedRow>();
        foreach (bool adversarial in new[] { false, true })
        {
            EvalResult? baseline = table.Find(reference, adversarial);
            if (baseline is null)
                continue;
            foreach (string method in table.Methods.Where(m => m != reference))
                if (table.Find(method, adversarial) is { } other)
                    rows.Add(Pair(other, baseline, resamples, seed));
        }
        return rows;
    }

    /// <summary><paramref name="a"/> minus <paramref name="b"/> (the reference).</summary>
    public static PairedRow Pair(EvalResult a, EvalResult b, int resamples = PairedStatistics.DefaultResamples, int seed = PairedStatistics.DefaultSeed)
    {
        var byId = b.Templates.ToDictionary(t => t.Id, StringComparer.Ordinal);
        var shared = a.Templates.Where(t => byId.ContainsKey(t.Id)).Select(t => (A: t, B: byId[t.Id])).ToArray();
        string testSet = a.TestSet;
        if (shared.Length == 0)
            return new PairedRow(a.Method, b.Method, testSet, 0, 0, double.NaN, null, null, null, "no test template in common");
        if (a.ExampleCount != b.ExampleCount || SameRowsProblem(a, b) is not null)
            return new PairedRow(a.Method, b.Method, testSet, shared.Length, 0, double.NaN, null, null, null,
                SameRowsProblem(a, b) ?? $"other rows ({a.ExampleCount} vs {b.ExampleCount})");

        // Correct-row counts are exact, so equal differences tie exactly in the signed-rank test.
        double[] differences = shared.Select(p => Math.Round(p.A.Accuracy * p.A.Count) - Math.Round(p.B.Accuracy * p.B.Count)).ToArray();
        double mean = shared.Average(p => p.A.Accuracy - p.B.Accuracy);
        WilcoxonResult wilcoxon = PairedStatistics.Wilcoxon(differences);
        if (!a.HasRowPredictions || !b.HasRowPredictions)
            return new PairedRow(a.Method, b.Method, testSet, shared.Length, a.ExampleCount, mean, null, null, wilcoxon,
                "no per-row predictions in an evaluation file (written before they were recorded): no bootstrap interval; re-run paft eval");

        IReadOnlyList<int> labels = a.Labels!;
        int[][] cells = shared.Select(p => Enumerable.Range(0, labels.Count)
            .Select(r => (p.A.Predicted![r] == labels[r] ? 1 : 0) - (p.B.Predicted![r] == labels[r] ? 1 : 0)).ToArray()).ToArray();
        (double low, double high) = PairedStatistics.BootstrapInterval(cells, resamples, seed);
        return new PairedRow(a.Method, b.Method, testSet, shared.Length, labels.Count, mean, low, high, wilcoxon,
            shared.Length < a.Templates.Count || shared.Length < b.Templates.Count ? "on the templates both were evaluated on only" : null);
    }

    /// <summary>Why two evaluations with the same row count are not known to be on the same rows, or null.</summary>
    private static string? SameRowsProblem(EvalResult a, EvalResult b)
    {
        if (a.Run.TryGetValue(EvalResult.RowsHashKey, out string? hashA) && b.Run.TryGetValue(EvalResult.RowsHashKey, out string? hashB)
            && !string.Equals(hashA, hashB, StringComparison.OrdinalIgnoreCase))
            return "other rows (rowsSha256 differs)";
        if (a.Labels is not null && b.Labels is not null && !a.Labels.SequenceEqual(b.Labels))
            return "other rows (labels differ)";
        return null;
    }

    /// <summary>The column titles of the paired table.</summary>
    public static IReadOnlyList<string> Header(string reference) =>
        ["Method", "Set", "Templates × rows", $"Δ mean vs {reference} (pp)", "95% CI (pp)", "Wilcoxon W", "n", "p"];

    /// <summary>The cells of one row, as shown (percentage points with two decimals; p with four).</summary>
    public static IReadOnlyList<string> Cells(PairedRow row) =>
    [
        row.Method,
        row.TestSet,
        row.Rows == 0 ? "—" : $"{row.Templates} × {row.Rows}",
        double.IsNaN(row.MeanDifference) ? "—" : Points(row.MeanDifference),
        row.IntervalLow is { } low && row.IntervalHigh is { } high ? $"[{Points(low)}, {Points(high)}]" : "—",
        row.Wilcoxon is { } w ? w.Statistic.ToString("0.#", CultureInfo.InvariantCulture) : "—",
        row.Wilcoxon is { } n ? n.NonZeroPairs.ToString(CultureInfo.InvariantCulture) : "—",
        row.Wilcoxon?.PValue is { } p ? p.ToString(p < 0.0001 ? "0.0e+0" : "0.0000", CultureInfo.InvariantCulture) : "—",
    ];

    private static string Points(double fraction) => (100 * fraction).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
}
