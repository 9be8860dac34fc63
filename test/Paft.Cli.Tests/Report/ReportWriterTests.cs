using System.Buffers.Binary;
using Paft.Cli.Reporting;
using Paft.Cli.Tests.Compare;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;

namespace Paft.Cli.Tests.Report;

public sealed class ReportWriterTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>A folder as the workflow leaves it: evaluations, a trained model's training log, a sweep, an ablation.</summary>
    private string WriteRunFolder()
    {
        string runs = _data.PathOf("runs");
        string sftModel = Path.Combine(runs, "sft-model");
        Directory.CreateDirectory(sftModel);
        var log = new TrainingLog();
        for (int step = 1; step <= 20; step++)
            log.Add(new TrainingLogEntry(step, 0, 3.0 / step, 1e-4, 100, null));
        log.Save(Path.Combine(sftModel, TrainingLog.FileName));
        var paftLog = new TrainingLog();
        for (int step = 1; step <= 20; step++)
            paftLog.Add(new TrainingLogEntry(step, 0, 3.5 / step, 1e-4, 100, null));
        paftLog.Save(Path.Combine(runs, "paft", TrainingLog.FileName));

        EvalFiles.Write(Path.Combine(runs, "base.json"), "piqa", [0.5, 0.55, 0.6, 0.45], model: "/models/base");
        EvalFiles.Write(Path.Combine(runs, "sft.json"), "piqa", [0.9, 0.5, 0.7, 0.8], model: sftModel);
        EvalFiles.Write(Path.Combine(runs, "paft", "eval.json"), "piqa", [0.86, 0.84, 0.88, 0.85], model: Path.Combine(runs, "paft"));
        SweepFile.Save([new SweepPoint(1, 0.7, 0.1), new SweepPoint(4, 0.8, 0.05), new SweepPoint(16, 0.85, 0.02)], Path.Combine(runs, SweepFile.FileName));
        AblationFile.Save([new AblationPoint(1, 3, 16, 0.82, 0.04, 0.75), new AblationPoint(4, 3, 16, 0.85, 0.02, 0.8), new AblationPoint(4, 6, 16, 0.875, 0.0125, 0.85)],
            Path.Combine(runs, AblationFile.FileName));
        return runs;
    }

    [Fact]
    public void ReportCommand_WritesMarkdownNamingTheSetup_AndValidPngFigures()
    {
        string runs = WriteRunFolder();
        string outFolder = _data.PathOf("report");

        CliRunner.Result result = CliRunner.Run("report", "--in", runs, "--out", outFolder);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("with 4 figure(s)", result.Output);
        string markdown = File.ReadAllText(Path.Combine(outFolder, ReportWriter.MarkdownFileName));
        Assert.Contains("- Task: piqa", markdown);
        Assert.Contains("`/models/base`", markdown);                 // the base model
        Assert.Contains("`/pools/test.jsonl`", markdown);            // the test pool
        Assert.Contains("| sft | 4 | 72.50 ± 14.79 | 50.00 | 90.00 | 25.00 |", markdown); // mean .725, std sqrt(.021875)
        Assert.Contains("| sft | 20 | 3.0000 | 0.1500 |", markdown); // the curve found through the evaluated model's folder
        Assert.Contains("| paft | 20 | 3.5000 | 0.1750 |", markdown); // the curve found in the folder
        Assert.Contains("| 16 | 85.00 | 2.00 |", markdown);
        // Table 3's shape: a row per K, a column pair (mean ± std, min) per epoch count; no run at K 1 with 6 epochs.
        Assert.Contains("| K | 3 epoch(s): mean ± std | min | 6 epoch(s): mean ± std | min |", markdown);
        Assert.Contains("| 1 | 82.00 ± 4.00 | 75.00 | – | – |", markdown);
        Assert.Contains("| 4 | 85.00 ± 2.00 | 80.00 | 87.50 ± 1.25 | 85.00 |", markdown);
        foreach (string figure in new[] { ReportWriter.DistributionFileName, ReportWriter.LossFileName, ReportWriter.SweepFileName, ReportWriter.AblationFileName })
        {
            Assert.Contains($"]({figure})", markdown);
            AssertPng(Path.Combine(outFolder, figure));
        }
        Assert.Empty(Directory.GetFiles(outFolder, "*.tmp")); // atomic writes leave no temporary files
    }

    [Fact]
    public void ReportCommand_WithAdversarialEvaluations_PairsThemWithTheCleanRows_AndKeepsOneCurveAModel()
    {
        string runs = WriteRunFolder();
        // sft on the adversarial set: 0.5, 0.3, 0.7, 0.5 -> mean 50, deviations 0, .2, .2, 0 -> std sqrt(.08 / 4) = 14.14.
        EvalFiles.Write(Path.Combine(runs, "sft.adversarial.json"), "piqa", [0.5, 0.3, 0.7, 0.5], model: Path.Combine(runs, "sft-model"), testSet: "adversarial");
        // paft on the adversarial set, found as paft/eval.adversarial.json: 0.85, 0.8, 0.9, 0.85 -> 85.00 ± 3.54, Top-85 3 of 4.
        EvalFiles.Write(Path.Combine(runs, "paft", "eval.adversarial.json"), "piqa", [0.85, 0.8, 0.9, 0.85], model: Path.Combine(runs, "paft"), testSet: "adversarial");
        string outFolder = _data.PathOf("report");

        CliRunner.Result result = CliRunner.Run("report", "--in", runs, "--out", outFolder);

        Assert.True(result.ExitCode == 0, result.Error);
        string markdown = File.ReadAllText(Path.Combine(outFolder, ReportWriter.MarkdownFileName));
        Assert.Contains("| Method | Templates | Clean Mean ± Std | Clean Min | Clean Top-85% | Adversarial Mean ± Std | Adversarial Min | Adversarial Top-85% |", markdown);
        Assert.Contains("| base | 4 / — | 52.50 ± 5.59 | 45.00 | 0.00 | — | — | — |", markdown);
        Assert.Contains("| sft | 4 / 4 | 72.50 ± 14.79 | 50.00 | 25.00 | 50.00 ± 14.14 | 30.00 | 0.00 |", markdown);
        Assert.Contains("| paft | 4 / 4 | 85.75 ± 1.48 | 84.00 | 75.00 | 85.00 ± 3.54 | 80.00 | 75.00 |", markdown);
        Assert.Contains("- sft (adversarial): `t1~adv1` 30.00%", markdown);
        // One training curve a model, though each model was evaluated twice.
        Assert.Equal(1, CountOf(markdown, "| sft | 20 | 3.0000 | 0.1500 |"));
        Assert.Equal(1, CountOf(markdown, "| paft | 20 | 3.5000 | 0.1750 |"));
        AssertPng(Path.Combine(outFolder, ReportWriter.DistributionFileName));
        Assert.Contains("| paft | 4 / 4 |", result.Output); // the console shows the paired table too
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public void ReportWriter_WithoutTrainingOrSweep_WritesOnlyTheDistribution()
    {
        string a = EvalFiles.Write(_data.PathOf("a.json"), "winogrande", [0.6, 0.7], topX: 0.8);

        ReportFiles files = ReportWriter.Write(new ReportContent("Demo", [EvalResultFile.Read(a, "base")], [], [], [("Seeds", "0, 1, 2")]),
            _data.PathOf("out"));

        Assert.Equal([Path.Combine(_data.PathOf("out"), ReportWriter.DistributionFileName)], files.Images);
        AssertPng(files.Images[0]);
        string markdown = File.ReadAllText(files.Markdown);
        Assert.StartsWith("# Demo\n", markdown);
        Assert.Contains("- Seeds: 0, 1, 2", markdown);
        Assert.DoesNotContain("## Training", markdown);
    }

    [Fact]
    public void EmptyFolder_ExitsTwo_AndWritesNothing()
    {
        Directory.CreateDirectory(_data.PathOf("empty"));

        CliRunner.Result result = CliRunner.Run("report", "--in", _data.PathOf("empty"), "--out", _data.PathOf("report"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("No evaluation files", result.Error);
        Assert.False(Directory.Exists(_data.PathOf("report")));
    }

    [Fact]
    public void Quantile_InterpolatesBetweenOrderStatistics()
    {
        // numpy.quantile([1, 2, 3, 4], q): 0.25 -> 1.75, 0.5 -> 2.5, 0.75 -> 3.25.
        Assert.Equal(1.75, ReportPlots.Quantile([1, 2, 3, 4], 0.25), 12);
        Assert.Equal(2.5, ReportPlots.Quantile([1, 2, 3, 4], 0.5), 12);
        Assert.Equal(3.25, ReportPlots.Quantile([1, 2, 3, 4], 0.75), 12);
        Assert.Equal(7, ReportPlots.Quantile([7], 0.5));
    }

    /// <summary>The PNG signature, an IHDR of the figure's size, an IEND, and more than a blank image's few bytes.</summary>
    internal static void AssertPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(ReportPlots.Width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(ReportPlots.Height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.Equal("IEND", System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 8, 4));
        Assert.InRange(bytes.Length, 10_000, 2_000_000);
    }
}
