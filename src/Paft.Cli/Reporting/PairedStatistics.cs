namespace Paft.Cli.Reporting;

/// <summary>The result of a Wilcoxon signed-rank test across templates (normal approximation).</summary>
/// <param name="NonZeroPairs">Pairs left after dropping zero differences (n).</param>
/// <param name="PositiveRankSum">R+: the sum of the ranks of the positive differences.</param>
/// <param name="NegativeRankSum">R−: the sum of the ranks of the negative differences.</param>
/// <param name="Z">(W − n(n+1)/4) / σ with W = min(R+, R−), so never positive; null when n = 0.</param>
/// <param name="PValue">Two-sided p-value, 2·Φ(−|z|); null when n = 0 (every template tied).</param>
internal sealed record WilcoxonResult(int NonZeroPairs, double PositiveRankSum, double NegativeRankSum, double? Z, double? PValue)
{
    /// <summary>W = min(R+, R−), the two-sided statistic as scipy reports it.</summary>
    public double Statistic => Math.Min(PositiveRankSum, NegativeRankSum);
}

/// <summary>
/// The statistics of <c>paft compare</c>'s paired comparison of two methods on the same test templates and rows.
/// </summary>
internal static class PairedStatistics
{
    /// <summary>Bootstrap resamples <c>paft compare</c> draws (documented in docs/cli.md).</summary>
    public const int DefaultResamples = 10_000;

    /// <summary>The bootstrap's seed (documented in docs/cli.md): the same files always give the same interval.</summary>
    public const int DefaultSeed = 0;

    /// <summary>
    /// The Wilcoxon signed-rank test of the paired differences, with scipy's default treatment (<c>zero_method="wilcox"</c>,
    /// no continuity correction) and its normal approximation (scipy: <c>method="approx"</c>): zero differences are
    /// dropped; the absolute differences are ranked, tied ones sharing their average rank; W = min(R+, R−);
    /// z = (W − n(n+1)/4) / √(n(n+1)(2n+1)/24 − Σ(t³ − t)/48) over the tie groups of size t; p = 2·Φ(−|z|).
    /// </summary>
    /// <param name="differences">One difference a pair (here: a template's accuracy under method A minus under method B).
    /// Compare exactly representable values (e.g. counts of correct rows) so that ties are ties.</param>
    public static WilcoxonResult Wilcoxon(IReadOnlyList<double> differences)
    {
        double[] nonZero = differences.Where(d => d != 0).ToArray();
        int n = nonZero.Length;
        if (n == 0)
            return new WilcoxonResult(0, 0, 0, null, null);
        int[] order = Enumerable.Range(0, n).OrderBy(i => Math.Abs(nonZero[i])).ToArray();
        var ranks = new double[n];
        double tieTerm = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && Math.Abs(nonZero[order[end + 1]]) == Math.Abs(nonZero[order[start]]))
                end++;
            double averageRank = (start + end + 2) / 2.0; // ranks are 1-based: positions start+1 .. end+1
            for (int k = start; k <= end; k++)
                ranks[order[k]] = averageRank;
            double t = end - start + 1;
            tieTerm += t * t * t - t;
            start = end + 1;
        }
        double positive = 0, negative = 0;
        for (int i = 0; i < n; i++)
        {
            if (nonZero[i] > 0)
                positive += ranks[i];
            else
                negative += ranks[i];
        }
        double mean = n * (n + 1) / 4.0;
        double variance = n * (n + 1) * (2.0 * n + 1) / 24.0 - tieTerm / 48.0;
        double z = (Math.Min(positive, negative) - mean) / Math.Sqrt(variance);
        double p = Math.Min(1.0, 2 * NormalCdf(-Math.Abs(z)));
        return new WilcoxonResult(n, positive, negative, z, p);
    }

    /// <summary>
    /// A two-level (crossed) percentile bootstrap of the mean of <paramref name="differences"/>[template][row]: each
    /// resample draws the templates with replacement and, independently, the rows with replacement, and takes the mean
    /// over every drawn (template, row) cell (each template's drawn rows are the same rows, as in the evaluation, where
    /// every template sees every row). The interval is the 2.5th and 97.5th percentiles of the resampled means, by linear
    /// interpolation between order statistics (numpy's default). Seeded: the same input gives the same interval.
    /// </summary>
    /// <param name="differences">Per template, per row: correct under A minus correct under B (−1, 0 or 1).</param>
    /// <param name="resamples">Bootstrap resamples.</param>
    /// <param name="seed">Seed of <see cref="Random"/>.</param>
    /// <param name="confidence">The interval's coverage, 0.95 for a 95% interval.</param>
    public static (double Low, double High) BootstrapInterval(IReadOnlyList<IReadOnlyList<int>> differences, int resamples = DefaultResamples,
        int seed = DefaultSeed, double confidence = 0.95)
    {
        double[] means = BootstrapMeans(differences, resamples, seed);
        Array.Sort(means);
        double tail = (1 - confidence) / 2;
        return (Quantile(means, tail), Quantile(means, 1 - tail));
    }

    /// <summary>The resampled means of <see cref="BootstrapInterval"/>, in the order drawn.</summary>
    public static double[] BootstrapMeans(IReadOnlyList<IReadOnlyList<int>> differences, int resamples, int seed)
    {
        int templates = differences.Count;
        if (templates == 0)
            throw new ArgumentException("The bootstrap needs at least one template.", nameof(differences));
        int rows = differences[0].Count;
        if (rows == 0 || differences.Any(d => d.Count != rows))
            throw new ArgumentException("Every template needs the same, non-zero number of rows.", nameof(differences));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);

        // Arrays, not the interface: the inner loop runs resamples × templates × rows times.
        int[][] cells = differences.Select(d => d.ToArray()).ToArray();
        var random = new Random(seed);
        var templateDraws = new int[templates];
        var rowDraws = new int[rows];
        var means = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            Array.Clear(templateDraws);
            Array.Clear(rowDraws);
            for (int i = 0; i < templates; i++)
                templateDraws[random.Next(templates)]++;
            for (int i = 0; i < rows; i++)
                rowDraws[random.Next(rows)]++;
            long sum = 0;
            for (int t = 0; t < templates; t++)
            {
                if (templateDraws[t] == 0)
                    continue;
                int[] row = cells[t];
                long templateSum = 0;
                for (int r = 0; r < rows; r++)
                    templateSum += (long)rowDraws[r] * row[r];
                sum += templateDraws[t] * templateSum;
            }
            means[b] = (double)sum / ((long)templates * rows);
        }
        return means;
    }

    /// <summary>The <paramref name="p"/>-quantile of sorted values by linear interpolation between order statistics
    /// (Hyndman and Fan's type 7, numpy's default): position (count − 1)·p.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        double position = (sorted.Count - 1) * p;
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>Φ, the standard normal distribution function, through erfc.</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>
    /// The complementary error function by the Chebyshev-fitted rational approximation of Press et al. (Numerical
    /// Recipes, <c>erfcc</c>): fractional error below 1.2e-7 everywhere, far below what a p-value shown to 4 digits needs.
    /// </summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
