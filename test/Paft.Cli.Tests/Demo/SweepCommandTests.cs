using System.Globalization;
using Paft.Cli.Commands;
using Paft.Cli.Reporting;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Report;
using Paft.Demo;

namespace Paft.Cli.Tests.Demo;

/// <summary><c>paft sweep --quick</c>: the pool study and the K × epochs grid, in their CSVs, tables, evaluations and the report.</summary>
[Collection(SerialTorchWork.Name)]
public sealed class SweepCommandTests
{
    [Fact]
    public void QuickSweepRunsAllThreeStudiesByDefaultOnOneBaseModel()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "sweep");
        CliRunner.Result run = CliRunner.Run("sweep", "--quick", "--prompts", "1,2,4", "--k", "1,2", "--epochs", "1", "--out", output, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        string[] csv = File.ReadAllLines(Path.Combine(output, "sweep.csv"));
        Assert.Equal(4, csv.Length); // header + one line per size
        // One seed (the default) keeps the one-seed layout: the original header, no seed folders, no per-seed files.
        Assert.Equal("training_templates,mean_accuracy,std_accuracy", csv[0]);
        Assert.StartsWith("redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy\n", File.ReadAllText(Path.Combine(output, AblationFile.FileName)));
        Assert.Empty(Directory.GetDirectories(output, "seed-*"));
        Assert.False(File.Exists(Path.Combine(output, SweepFile.BySeedFileName)));
        Assert.False(File.Exists(Path.Combine(output, AblationFile.BySeedFileName)));
        Assert.True(File.Exists(Path.Combine(output, "paft-n1-k4-e6", "eval.json")));
        Assert.Contains("| Training templates | Mean ± Std | Min |", run.Output);
        Assert.DoesNotContain("across seeds", run.Output);
        Assert.Equal([1, 2, 4], csv.Skip(1).Select(line => int.Parse(line.Split(',')[0], CultureInfo.InvariantCulture)));
        foreach (string line in csv.Skip(1))
        {
            double mean = double.Parse(line.Split(',')[1], CultureInfo.InvariantCulture);
            Assert.InRange(mean, 0, 1);
            Assert.Contains($"| {line.Split(',')[0]} | {100 * mean:F2} ±", run.Output);
        }
        Assert.Equal(2, AblationFile.Load(Path.Combine(output, AblationFile.FileName)).Count);
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("sweep.png", report);
        Assert.Contains("ablation.png", report);
        Assert.True(File.Exists(Path.Combine(output, "sweep.png")));

        // The cost study fine-tuned the comparison's methods from the sweep's own base model, not a second one.
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "base", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, SweepCommand.MethodsFolderName, "base", "model.safetensors")));
        Assert.Equal(12, Directory.GetFiles(Path.Combine(output, SweepCommand.MethodsFolderName, DemoCommand.EvalFolderName), "*.json").Length);
        Assert.Contains("Training time per method (the paper's Table 6)", run.Output);
        Assert.Contains("Inference in generation mode (the paper's Table 2)", run.Output);
        foreach (string method in new[] { "sft", "sft-top", "zopo", "batprompt", "paft" })
            Assert.Contains($"| {method} | ", run.Output[run.Output.IndexOf("Table 6", StringComparison.Ordinal)..]);
        Assert.Contains("## Training time per method (the paper's Table 6)", report);
        Assert.Contains("## Inference in generation mode (the paper's Table 2)", report);
        ReportWriterTests.AssertPng(Path.Combine(output, TimingSection.TrainingFileName));
        ReportWriterTests.AssertPng(Path.Combine(output, TimingSection.InferenceFileName));
    }

    [Fact]
    public void TheCostStudyAloneTimesEveryMethodAndItsTablesMatchTheReport()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "cost");
        CliRunner.Result run = CliRunner.Run("sweep", "--quick", "--study", "cost", "--out", output, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.False(File.Exists(Path.Combine(output, SweepFile.FileName)));
        Assert.False(File.Exists(Path.Combine(output, AblationFile.FileName)));
        string report = File.ReadAllText(Path.Combine(output, ReportWriter.MarkdownFileName));
        // Every row the console printed for the two tables is in the report, with the same numbers.
        string[] rows = run.Output.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| Method", StringComparison.Ordinal)).ToArray();
        Assert.Equal(5 + 6, rows.Length); // five trained methods in Table 6, six models in Table 2
        Assert.All(rows, row => Assert.Contains(row, report));
        // Generation: at most the quick options' token limit; the base row is the reference (× 1.00).
        string baseRow = rows.Single(r => r.StartsWith("| base |", StringComparison.Ordinal));
        string[] cells = baseRow.Split('|', StringSplitOptions.TrimEntries);
        Assert.InRange(double.Parse(cells[3], CultureInfo.InvariantCulture), 0, new DemoOptions().GenerationMaxNewTokens);
        Assert.Equal("1.00", cells[5]);
    }

    [Fact]
    public void QuickGridTrainsEveryKWithEveryEpochCountOnTheFullPool()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "grid");
        CliRunner.Result run = CliRunner.Run("sweep", "--quick", "--study", "grid", "--out", output, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        int fullPool = DemoRecipe.TrainingPoolSize(DemoCommand.QuickOptions(output, new DemoOptions().Seed));
        IReadOnlyList<AblationPoint> cells = AblationFile.Load(Path.Combine(output, AblationFile.FileName));
        // The defaults: K 1, 2, 4, 8 × 3 and 6 epochs, all on the full training pool.
        Assert.Equal([(1, 3), (2, 3), (4, 3), (8, 3), (1, 6), (2, 6), (4, 6), (8, 6)], cells.Select(c => (c.RedrawEverySteps, c.Epochs)));
        Assert.All(cells, c => Assert.Equal(fullPool, c.TrainingTemplates));
        Assert.All(cells, c => Assert.InRange(c.MinAccuracy, 0, c.MeanAccuracy));
        Assert.False(File.Exists(Path.Combine(output, SweepFile.FileName)));

        // Epochs reach the trainer: 6 epochs log twice the optimizer steps of 3 (32 examples, batch 8).
        foreach (int k in new[] { 1, 2, 4, 8 })
        {
            int Steps(int epochs) => TrainingLog.Load(Path.Combine(output, $"paft-n{fullPool}-k{k}-e{epochs}", TrainingLog.FileName)).Entries.Count;
            Assert.Equal(12, Steps(3));
            Assert.Equal(24, Steps(6));
        }

        AblationPoint k1 = cells[0];
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"| 1 | {100 * k1.MeanAccuracy:F2} ± {100 * k1.AccuracyStdDev:F2} ({100 * k1.MinAccuracy:F2}) |"), run.Output);
        string report = File.ReadAllText(Path.Combine(output, ReportWriter.MarkdownFileName));
        Assert.Contains("## PAFT's K and epochs (the paper's Table 3)", report);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"| 1 | {100 * k1.MeanAccuracy:F2} ± {100 * k1.AccuracyStdDev:F2} | {100 * k1.MinAccuracy:F2} |"), report);
        Assert.Contains("](ablation.png)", report);
        Assert.True(new FileInfo(Path.Combine(output, ReportWriter.AblationFileName)).Length > 10_000);

        // `paft report` rebuilds the report from the folder, the ablation included.
        string again = Path.Combine(folder.Path, "again");
        CliRunner.Result rebuilt = CliRunner.Run("report", "--in", output, "--out", again);
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Error);
        string rebuiltReport = File.ReadAllText(Path.Combine(again, ReportWriter.MarkdownFileName));
        Assert.Contains("## PAFT's K and epochs (the paper's Table 3)", rebuiltReport);
        Assert.Contains($"paft-n{fullPool}-k8-e6", rebuiltReport);
        Assert.True(File.Exists(Path.Combine(again, ReportWriter.AblationFileName)));
    }

    [Fact]
    public void QuickSweepOverTwoSeedsShowsTheMeanOverSeedsAndTheStdAcrossSeeds()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "seeds");
        CliRunner.Result run = CliRunner.Run("sweep", "--quick", "--seeds", "2", "--seed", "7", "--study", "pool,grid", "--prompts", "1,2",
            "--k", "1", "--epochs", "1,2", "--out", output, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        // Each seed its own base model, pretrained from its own seed.
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(output, "seed-7", "base", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, "seed-8", "base", "model.safetensors")));
        Assert.False(Directory.Exists(Path.Combine(output, "base")));

        // Every per-seed row is that seed's model's evaluation.
        IReadOnlyList<SeedRow<SweepPoint>> rows = SweepFile.LoadBySeed(Path.Combine(output, SweepFile.BySeedFileName));
        Assert.Equal([(7, 1), (7, 2), (8, 1), (8, 2)], rows.Select(r => (r.Seed, r.Point.TrainingTemplates)));
        foreach ((int seed, SweepPoint point) in rows)
        {
            string name = $"paft-n{point.TrainingTemplates}-k4-e6-s{seed}";
            EvalResult evaluation = EvalResultFile.Read(Path.Combine(output, $"seed-{seed}", $"paft-n{point.TrainingTemplates}-k4-e6", name + ".json"));
            Assert.Equal(name, evaluation.Method);
            Assert.Equal(point.MeanAccuracy, evaluation.MeanAccuracy, 12);
            Assert.Equal(seed.ToString(CultureInfo.InvariantCulture), evaluation.Run["seed"]);
        }

        // The aggregate, by hand: the mean of the two per-seed means, their sample std (|a − b| / √2), the mean std across templates.
        IReadOnlyList<SweepPoint> sweep = SweepFile.Load(Path.Combine(output, SweepFile.FileName));
        Assert.Equal([1, 2], sweep.Select(p => p.TrainingTemplates));
        foreach (SweepPoint p in sweep)
        {
            SweepPoint a = rows.Single(r => r.Seed == 7 && r.Point.TrainingTemplates == p.TrainingTemplates).Point;
            SweepPoint b = rows.Single(r => r.Seed == 8 && r.Point.TrainingTemplates == p.TrainingTemplates).Point;
            Assert.Equal(2, p.Seeds);
            Assert.Equal((a.MeanAccuracy + b.MeanAccuracy) / 2, p.MeanAccuracy, 12);
            Assert.Equal(Math.Abs(a.MeanAccuracy - b.MeanAccuracy) / Math.Sqrt(2), p.SeedStdDev, 12);
            Assert.Equal((a.AccuracyStdDev + b.AccuracyStdDev) / 2, p.AccuracyStdDev, 12);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture,
                $"| {p.TrainingTemplates} | {100 * p.MeanAccuracy:F2} ± {100 * p.SeedStdDev:F2} | {100 * p.AccuracyStdDev:F2} | {100 * a.MeanAccuracy:F2} | {100 * b.MeanAccuracy:F2} |"), run.Output);
        }

        IReadOnlyList<SeedRow<AblationPoint>> cells = AblationFile.LoadBySeed(Path.Combine(output, AblationFile.BySeedFileName));
        Assert.Equal(4, cells.Count); // K 1 × 1 and 2 epochs × 2 seeds
        IReadOnlyList<AblationPoint> ablation = AblationFile.Load(Path.Combine(output, AblationFile.FileName));
        Assert.Equal([(1, 1), (1, 2)], ablation.Select(c => (c.RedrawEverySteps, c.Epochs)));
        foreach (AblationPoint c in ablation)
        {
            AblationPoint[] seeds = cells.Where(r => r.Point.Epochs == c.Epochs).Select(r => r.Point).ToArray();
            Assert.Equal(2, seeds.Length);
            Assert.Equal((seeds[0].MeanAccuracy + seeds[1].MeanAccuracy) / 2, c.MeanAccuracy, 12);
            Assert.Equal(Math.Abs(seeds[0].MeanAccuracy - seeds[1].MeanAccuracy) / Math.Sqrt(2), c.SeedStdDev, 12);
            Assert.Equal((seeds[0].MinAccuracy + seeds[1].MinAccuracy) / 2, c.MinAccuracy, 12);
        }

        // The report says how many seeds and which spread is which; `paft report --in` rebuilds the same sections.
        string report = File.ReadAllText(Path.Combine(output, ReportWriter.MarkdownFileName));
        Assert.Contains("- seeds: 2: 7, 8", report);
        Assert.Contains("Over 2 seeds", report);
        string row = string.Create(CultureInfo.InvariantCulture,
            $"| 1 | 2 | {100 * sweep[0].MeanAccuracy:F2} | {100 * sweep[0].SeedStdDev:F2} | {100 * sweep[0].AccuracyStdDev:F2} |");
        Assert.Contains(row, report);
        Assert.Contains("paft-n2-k4-e6-s8", report);
        string again = Path.Combine(folder.Path, "again");
        CliRunner.Result rebuilt = CliRunner.Run("report", "--in", output, "--out", again);
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Error);
        string rebuiltReport = File.ReadAllText(Path.Combine(again, ReportWriter.MarkdownFileName));
        Assert.Contains(row, rebuiltReport);
        Assert.Contains("Over 2 seeds", rebuiltReport);
        Assert.Contains("paft-n2-k4-e6-s8", rebuiltReport);
        ReportWriterTests.AssertPng(Path.Combine(again, ReportWriter.SweepFileName));
        ReportWriterTests.AssertPng(Path.Combine(again, ReportWriter.AblationFileName));
    }

    [Theory]
    [InlineData("0", "--seeds must be at least 1; got 0")]
    [InlineData("-3", "--seeds must be at least 1; got -3")]
    public void ABadSeedCountIsRefusedNamingTheFlag(string value, string message)
    {
        CliRunner.Result run = CliRunner.Run("sweep", "--seeds", value, "--out", Path.Combine(Path.GetTempPath(), "paft-never-" + Guid.NewGuid().ToString("N")));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public void SeveralSeedsAreRefusedForTheCostStudyAloneAndPastTheLargestSeed()
    {
        string output = Path.Combine(Path.GetTempPath(), "paft-never-" + Guid.NewGuid().ToString("N"));
        CliRunner.Result cost = CliRunner.Run("sweep", "--study", "cost", "--seeds", "2", "--out", output);
        Assert.Equal(2, cost.ExitCode);
        Assert.Contains("--seeds: only the pool and grid studies", cost.Error);
        CliRunner.Result past = CliRunner.Run("sweep", "--seed", "2147483647", "--seeds", "2", "--out", output);
        Assert.Equal(2, past.ExitCode);
        Assert.Contains("--seeds: 2 seeds from --seed 2147483647", past.Error);
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("--prompts", "1,x", "'x'")]
    [InlineData("--k", "1,0", "--k: '0'")]
    [InlineData("--epochs", "", "--epochs: give at least one")]
    [InlineData("--k", "2,2", "--k: '2,2' repeats")]
    [InlineData("--study", "table", "--study: 'table'")]
    [InlineData("--study", "pool,speed", "--study: 'speed'")]
    public void BadListsAreRefusedNamingTheOption(string option, string value, string message)
    {
        CliRunner.Result run = CliRunner.Run("sweep", option, value, "--out", Path.Combine(Path.GetTempPath(), "paft-never-" + Guid.NewGuid().ToString("N")));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
    }
}
