using System.Text.Json;
using System.Text.Json.Nodes;
using Paft.Cli.Commands;
using Paft.Cli.Reporting;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;

namespace Paft.Cli.Tests.Compare;

/// <summary>
/// <c>paft compare</c>'s paired statistics against hand computations: the Wilcoxon signed-rank statistic and its
/// normal-approximation p-value (Φ computed here by numerical integration, independently of the implementation's erfc),
/// the two-level bootstrap against the exact distribution of a case small enough to enumerate, and the whole command
/// on evaluation files with per-row predictions.
/// </summary>
public sealed class PairedStatisticsTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>Φ(x) by Simpson's rule over the normal density from −12 to x: an independent check of the erfc approximation.</summary>
    private static double Phi(double x)
    {
        const int steps = 200_000;
        double a = -12, h = (x - a) / steps, sum = 0;
        for (int i = 0; i <= steps; i++)
        {
            double t = a + i * h;
            double weight = i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2;
            sum += weight * Math.Exp(-t * t / 2);
        }
        return sum * h / 3 / Math.Sqrt(2 * Math.PI);
    }

    [Fact]
    public void Wilcoxon_of_six_pairs_with_a_zero_and_a_tie_matches_the_hand_computation()
    {
        // Differences 10, −5, 20, 15, 0, 5: the zero is dropped (n = 5); |d| = 10, 5, 20, 15, 5 rank 3, 1.5, 5, 4, 1.5
        // (the two 5s share ranks 1 and 2). R+ = 3 + 5 + 4 + 1.5 = 13.5, R− = 1.5, W = 1.5.
        // Mean n(n+1)/4 = 7.5; variance 5·6·11/24 − (2³ − 2)/48 = 13.75 − 0.125 = 13.625; z = (1.5 − 7.5)/√13.625.
        WilcoxonResult result = PairedStatistics.Wilcoxon([10, -5, 20, 15, 0, 5]);

        Assert.Equal(5, result.NonZeroPairs);
        Assert.Equal(13.5, result.PositiveRankSum);
        Assert.Equal(1.5, result.NegativeRankSum);
        Assert.Equal(1.5, result.Statistic);
        double z = -6 / Math.Sqrt(13.625);
        Assert.Equal(z, result.Z!.Value, 12);
        Assert.Equal(2 * Phi(z), result.PValue!.Value, 6);
        Assert.Equal(0.1041, result.PValue!.Value, 4); // the same from a normal table: 2 · Φ(−1.6255)
    }

    [Fact]
    public void Wilcoxon_without_ties_and_with_only_zeros()
    {
        // 1, 2, 3, 4, 5, −6: ranks 1..6, R+ = 15, R− = 6, W = 6; mean 10.5, variance 6·7·13/24 = 22.75.
        WilcoxonResult result = PairedStatistics.Wilcoxon([1, 2, 3, 4, 5, -6]);
        Assert.Equal(6, result.Statistic);
        double z = -4.5 / Math.Sqrt(22.75);
        Assert.Equal(z, result.Z!.Value, 12);
        Assert.Equal(2 * Phi(z), result.PValue!.Value, 6);

        WilcoxonResult tied = PairedStatistics.Wilcoxon([0, 0, 0]);
        Assert.Equal(0, tied.NonZeroPairs);
        Assert.Null(tied.PValue);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(1.7)]
    [InlineData(-3.2)]
    public void The_normal_distribution_function_agrees_with_numerical_integration(double x) =>
        Assert.Equal(Phi(x), PairedStatistics.NormalCdf(x), 7);

    [Fact]
    public void The_bootstrap_resamples_templates_and_rows_with_the_exact_distribution_of_a_small_case()
    {
        // Two templates × two rows. Each resample draws 2 template indices and 2 row indices (4 × 4 equally likely
        // outcomes); its mean is the mean over the 4 drawn (template, row) cells. Enumerated here.
        int[][] cells = [[1, 0], [0, -1]];
        var exact = new Dictionary<double, double>();
        foreach (int t1 in new[] { 0, 1 })
            foreach (int t2 in new[] { 0, 1 })
                foreach (int r1 in new[] { 0, 1 })
                    foreach (int r2 in new[] { 0, 1 })
                    {
                        double mean = (cells[t1][r1] + cells[t1][r2] + cells[t2][r1] + cells[t2][r2]) / 4.0;
                        exact[mean] = exact.GetValueOrDefault(mean) + 1 / 16.0;
                    }
        // Resampling templates only (or rows only) could not reach ±1: both levels must collapse onto one cell.
        Assert.Equal(1 / 16.0, exact[1.0]);
        Assert.Equal(1 / 16.0, exact[-1.0]);

        double[] means = PairedStatistics.BootstrapMeans(cells, 20_000, seed: 5);
        foreach ((double value, double probability) in exact)
            Assert.InRange(means.Count(m => m == value) / 20_000.0 - probability, -0.01, 0.01); // about 3 standard errors
        Assert.Equal(exact.Count, means.Distinct().Count());

        // Each atom at ±1 holds 6.25% > 2.5%: the 95% interval is exactly [−1, 1].
        Assert.Equal((-1.0, 1.0), PairedStatistics.BootstrapInterval(cells, 10_000, seed: 5));
        // Seeded: the same input gives the same resamples.
        Assert.Equal(PairedStatistics.BootstrapMeans(cells, 100, 3), PairedStatistics.BootstrapMeans(cells, 100, 3));
    }

    [Fact]
    public void A_constant_difference_has_a_degenerate_interval_and_quantiles_interpolate()
    {
        int[][] cells = [[1, 1, 1], [1, 1, 1]];
        Assert.Equal((1.0, 1.0), PairedStatistics.BootstrapInterval(cells, 500));
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75 (position 0.75 between the first two).
        Assert.Equal(1.75, PairedStatistics.Quantile([1, 2, 3, 4], 0.25), 12);
    }

    /// <summary>An evaluation file with per-row predictions over <paramref name="labels"/>: template i gets the predictions <paramref name="predicted"/>[i].</summary>
    private string WriteEval(string name, int[] labels, int[][] predicted, string mode = "loglik", string rowsHash = "abc")
    {
        var templates = new JsonArray();
        for (int i = 0; i < predicted.Length; i++)
        {
            int correct = predicted[i].Zip(labels).Count(p => p.First == p.Second);
            templates.Add(new JsonObject
            {
                ["id"] = $"t{i}",
                ["accuracy"] = correct / (double)labels.Length,
                ["count"] = labels.Length,
                ["predicted"] = new JsonArray(predicted[i].Select(p => (JsonNode?)p).ToArray()),
            });
        }
        double[] accuracies = templates.Select(t => (double)t!["accuracy"]!).ToArray();
        var json = new JsonObject
        {
            ["task"] = "piqa",
            ["templateCount"] = predicted.Length,
            ["exampleCount"] = labels.Length,
            ["labels"] = new JsonArray(labels.Select(l => (JsonNode?)l).ToArray()),
            ["summary"] = new JsonObject
            {
                ["meanAccuracy"] = accuracies.Average(),
                ["accuracyStdDev"] = 0.0,
                ["minAccuracy"] = accuracies.Min(),
                ["maxAccuracy"] = accuracies.Max(),
                ["medianAccuracy"] = accuracies.Average(),
                ["topXThreshold"] = 0.85,
                ["topXShare"] = 0.0,
            },
            ["templates"] = templates,
            ["run"] = new JsonObject { ["mode"] = mode, ["rowsSha256"] = rowsHash, ["templatesSha256"] = "def" },
        };
        string path = _data.PathOf(name + ".json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    /// <summary>Predictions over labels 0, 1, 0, 1 with <paramref name="correct"/> of the 4 rows right (the first ones).</summary>
    private static int[] Right(int correct) => Enumerable.Range(0, 4).Select(r => r < correct ? r % 2 : 1 - r % 2).ToArray();

    [Fact]
    public void Compare_reports_the_paired_statistics_in_the_table_and_the_json()
    {
        int[] labels = [0, 1, 0, 1];
        // Correct rows per template: sft 2, 2, 1, 3, 2, 2; paft 3, 3, 3, 3, 2, 4 -> differences 1, 1, 2, 0, 0, 2.
        string sft = WriteEval("sft", labels, [Right(2), Right(2), Right(1), Right(3), Right(2), Right(2)]);
        string paft = WriteEval("paft", labels, [Right(3), Right(3), Right(3), Right(3), Right(2), Right(4)]);
        string outFolder = _data.PathOf("cmp");

        CliRunner.Result result = CliRunner.Run("compare", "--run", $"paft={paft}", "--run", $"sft={sft}", "--out", outFolder);

        Assert.True(result.ExitCode == 0, result.Error);
        // n = 4 non-zero: |d| 1, 1, 2, 2 rank 1.5, 1.5, 3.5, 3.5; R+ = 10, R− = 0, W = 0; mean 5; variance 7.5 − (6 + 6)/48 = 7.25.
        double z = -5 / Math.Sqrt(7.25);
        double p = 2 * Phi(z);
        JsonObject json = JsonNode.Parse(File.ReadAllText(Path.Combine(outFolder, CompareCommand.JsonFileName)))!.AsObject();
        Assert.Equal("sft", (string)json["reference"]!); // sft is the default reference, though given second
        Assert.Equal(10_000, (int)json["bootstrap"]!["resamples"]!);
        JsonObject row = json["paired"]!.AsArray().Single()!.AsObject();
        Assert.Equal("paft", (string)row["method"]!);
        Assert.Equal(6 / 24.0, (double)row["meanDifference"]!, 12);
        Assert.Equal(0, (double)row["wilcoxonStatistic"]!);
        Assert.Equal(4, (int)row["wilcoxonNonZeroPairs"]!);
        Assert.Equal(z, (double)row["wilcoxonZ"]!, 12);
        Assert.Equal(p, (double)row["pValue"]!, 6);
        // The interval holds the mean, and the bootstrap's own means lie between −1 and 1.
        Assert.InRange((double)row["ciLow"]!, -1, 0.25);
        Assert.InRange((double)row["ciHigh"]!, 0.25, 1);
        Assert.True((double)row["ciLow"]! < (double)row["ciHigh"]!);

        string line = result.Output.Split('\n').Single(l => l.StartsWith("| paft | clean |", StringComparison.Ordinal));
        Assert.Contains("| 6 × 4 | +25.00 |", line);
        Assert.EndsWith($"| 0 | 4 | {p:0.0000} |", line);
        Assert.Contains(line, File.ReadAllText(Path.Combine(outFolder, CompareCommand.MarkdownFileName)));

        // Against paft as the reference, the difference changes sign and the test stays the same.
        CliRunner.Result reversed = CliRunner.Run("compare", "--run", $"paft={paft}", "--run", $"sft={sft}", "--reference", "paft");
        Assert.Contains("| sft | clean | 6 × 4 | -25.00 |", reversed.Output);
        Assert.Contains($"| 0 | 4 | {p:0.0000} |", reversed.Output);

        CliRunner.Result unknown = CliRunner.Run("compare", "--run", $"paft={paft}", "--run", $"sft={sft}", "--reference", "zopo");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--reference 'zopo' is not one of the compared methods (paft, sft)", unknown.Error);
    }

    [Fact]
    public void Evaluations_that_differ_in_mode_or_rows_are_refused_or_marked()
    {
        int[] labels = [0, 1, 0, 1];
        int[][] predictions = [Right(2), Right(3)];
        string a = WriteEval("a", labels, predictions);
        string generate = WriteEval("b", labels, predictions, mode: "generate");
        string otherRows = WriteEval("c", labels, predictions, rowsHash: "xyz");

        CliRunner.Result mode = CliRunner.Run("compare", "--run", $"a={a}", "--run", $"b={generate}");
        Assert.Equal(2, mode.ExitCode);
        Assert.StartsWith($"error: '{a}' (a) and '{generate}' (b) differ in scoring mode (loglik vs generate)", mode.Error);

        CliRunner.Result rows = CliRunner.Run("compare", "--run", $"a={a}", "--run", $"c={otherRows}");
        Assert.Equal(2, rows.ExitCode);
        Assert.Contains("differ in rows (same count, other content: rowsSha256 abc vs xyz)", rows.Error);

        CliRunner.Result marked = CliRunner.Run("compare", "--run", $"a={a}", "--run", $"c={otherRows}", "--allow-mismatch", "--reference", "a");
        Assert.Equal(0, marked.ExitCode);
        Assert.Contains("| c (!) mismatch | 2 |", marked.Output);
        Assert.Contains("WARNING: ", marked.Error);
        // Other rows: no paired statistics, and the reason is given.
        Assert.Contains("| c | clean | — | — | — | — | — | — |", marked.Output);
        Assert.Contains("c (clean): other rows (rowsSha256 differs).", marked.Output);
    }

    [Fact]
    public void Per_row_predictions_of_the_wrong_length_are_refused_naming_the_key()
    {
        string path = WriteEval("bad", [0, 1, 0, 1], [Right(2)]);
        JsonObject json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["templates"]![0]!["predicted"] = new JsonArray(1, 0);
        File.WriteAllText(path, json.ToJsonString());
        var error = Assert.Throws<InvalidDataException>(() => EvalResultFile.Read(path));
        Assert.Equal($"{path}: 'templates[0].predicted' holds 2 values for 4 rows.", error.Message);
    }

    [Fact]
    public void The_reference_defaults_to_sft_then_base_then_the_first()
    {
        Assert.Equal("sft", PairedComparison.ChooseReference(["paft", "base", "sft"], null));
        Assert.Equal("base", PairedComparison.ChooseReference(["paft", "base"], null));
        Assert.Equal("paft", PairedComparison.ChooseReference(["paft", "zopo"], null));
        Assert.Equal("zopo", PairedComparison.ChooseReference(["paft", "zopo"], "zopo"));
    }
}
