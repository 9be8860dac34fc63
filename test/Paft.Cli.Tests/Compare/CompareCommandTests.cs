using Paft.Cli.Commands;
using Paft.Cli.Reporting;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Report;
using Paft.Cli.Tests.Train;

namespace Paft.Cli.Tests.Compare;

public sealed class CompareCommandTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void NamedRuns_GiveOneRowEach_InPercent_WithTheTasksTopXHeader()
    {
        // SFT: 0.5, 0.75, 1.0 -> mean 75, population std sqrt((0.0625 + 0 + 0.0625) / 3) = 20.41, Top-85 = 1 of 3.
        string sft = EvalFiles.Write(_data.PathOf("sft.json"), "piqa", [0.5, 0.75, 1.0]);
        // PAFT: 0.85, 0.9, 0.8, 0.85 -> mean 85, std sqrt((0 + 0.0025 + 0.0025 + 0) / 4) = 3.54, Top-85 = 3 of 4.
        string paft = EvalFiles.Write(_data.PathOf("paft.json"), "piqa", [0.85, 0.9, 0.8, 0.85]);
        string outFolder = _data.PathOf("cmp");

        // 3 and 4 templates: not the same test set. Refused by default, naming both files and what differs ...
        CliRunner.Result refused = CliRunner.Run("compare", "--run", $"SFT={sft}", "--run", $"PAFT={paft}", "--out", outFolder);
        Assert.Equal(2, refused.ExitCode);
        Assert.Single(refused.Error.TrimEnd().Split('\n'));
        Assert.StartsWith($"error: '{sft}' (SFT) and '{paft}' (PAFT) differ in test templates (0 only in the first, 1 only in the second)", refused.Error);
        Assert.Contains("--allow-mismatch", refused.Error);
        Assert.False(Directory.Exists(outFolder));

        // ... and with --allow-mismatch shown, marked in the table and warned about.
        CliRunner.Result result = CliRunner.Run("compare", "--run", $"SFT={sft}", "--run", $"PAFT={paft}", "--out", outFolder, "--allow-mismatch");

        Assert.True(result.ExitCode == 0, result.Error);
        string[] expected =
        [
            "| Method | Templates | Mean ± Std | Min | Max | Top-85% |",
            "|:---|---:|---:|---:|---:|---:|",
            "| SFT | 3 | 75.00 ± 20.41 | 50.00 | 100.00 | 33.33 |",
            "| PAFT (!) mismatch | 4 | 85.00 ± 3.54 | 80.00 | 90.00 | 75.00 |",
        ];
        Assert.Equal(expected, result.Output.Split('\n').Take(4).ToArray());
        Assert.StartsWith($"WARNING: '{sft}' (SFT) and '{paft}' (PAFT) differ in test templates", result.Error);
        string markdown = File.ReadAllText(Path.Combine(outFolder, CompareCommand.MarkdownFileName));
        Assert.Contains("piqa", markdown.Split('\n')[0]);
        foreach (string line in expected)
            Assert.Contains(line, markdown);
    }

    [Fact]
    public void Folder_FindsEvaluationsRecursively_SkipsOtherJson_NamesEvalJsonAfterItsFolder()
    {
        string folder = _data.PathOf("runs");
        EvalFiles.Write(Path.Combine(folder, "base.json"), "piqa", [0.5, 0.5]);
        EvalFiles.Write(Path.Combine(folder, "paft", "eval.json"), "piqa", [0.9, 0.8]);
        File.WriteAllText(Path.Combine(folder, "paft", "paft_model.json"), """{ "format": "paft-mlnet/1" }""");

        CliRunner.Result result = CliRunner.Run("compare", "--in", folder);

        Assert.True(result.ExitCode == 0, result.Error);
        string[] rows = result.Output.Split('\n').Skip(2).TakeWhile(l => l.Length > 0).ToArray();
        Assert.Equal(["| base | 2 | 50.00 ± 0.00 | 50.00 | 50.00 | 0.00 |", "| paft | 2 | 85.00 ± 5.00 | 80.00 | 90.00 | 50.00 |"], rows);
        Assert.Empty(result.Error); // same template ids: no warning
    }

    [Fact]
    public void DifferentThresholds_ShowTheThresholdInEachCell()
    {
        string a = EvalFiles.Write(_data.PathOf("a.json"), "piqa", [0.9], topX: 0.85);
        string b = EvalFiles.Write(_data.PathOf("b.json"), "piqa", [0.9], topX: 0.95);

        CliRunner.Result result = CliRunner.Run("compare", "--run", $"a={a}", "--run", $"b={b}");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("| Top-X% |", result.Output);
        Assert.Contains("| 100.00 (≥85) |", result.Output);
        Assert.Contains("| 0.00 (≥95) |", result.Output);
    }

    [Fact]
    public void DifferentTasks_ExitTwo()
    {
        string a = EvalFiles.Write(_data.PathOf("a.json"), "piqa", [0.9]);
        string b = EvalFiles.Write(_data.PathOf("b.json"), "hellaswag", [0.9]);

        CliRunner.Result result = CliRunner.Run("compare", "--run", $"a={a}", "--run", $"b={b}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("hellaswag", result.Error);
    }

    [Fact]
    public void MalformedEvaluation_ExitsTwoNamingFileAndKey_AndWritesNothing()
    {
        string bad = _data.PathOf("bad.json");
        File.WriteAllText(bad, """{ "task": "piqa", "exampleCount": 3, "summary": { "minAccuracy": 0.5 }, "templates": [ { "id": "x", "accuracy": 0.5, "count": 3 } ] }""");
        string outFolder = _data.PathOf("cmp");

        CliRunner.Result result = CliRunner.Run("compare", "--run", $"x={bad}", "--out", outFolder);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(bad, result.Error);
        Assert.Contains("summary.meanAccuracy", result.Error);
        Assert.False(Directory.Exists(outFolder));
    }

    [Fact]
    public void RunWithoutName_ExitsTwo()
    {
        CliRunner.Result result = CliRunner.Run("compare", "--run", "file.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("NAME=FILE.json", result.Error);
    }
    [Fact]
    public void AdversarialFiles_PairWithTheirCleanRow_PaperMethodsInTable1Order_OthersAfter_DashWhereMissing()
    {
        string folder = _data.PathOf("eval");
        // base: clean 0.5, 0.6 -> 55.00 ± 5.00; adversarial 0.3, 0.5 -> 40.00 ± 10.00, min 30, Top-85 0.
        EvalFiles.Write(Path.Combine(folder, "base.json"), "piqa", [0.5, 0.6]);
        EvalFiles.Write(Path.Combine(folder, "base.adversarial.json"), "piqa", [0.3, 0.5], testSet: "adversarial");
        // paft: clean 0.9, 0.8 -> 85.00 ± 5.00, Top-85 1 of 2; adversarial 0.85, 0.95 -> 90.00 ± 5.00, min 85, Top-85 2 of 2.
        EvalFiles.Write(Path.Combine(folder, "paft.json"), "piqa", [0.9, 0.8], testSet: "clean");
        EvalFiles.Write(Path.Combine(folder, "paft.adversarial.json"), "piqa", [0.85, 0.95], testSet: "adversarial");
        // sft: clean only.
        EvalFiles.Write(Path.Combine(folder, "sft.json"), "piqa", [0.7, 0.7]);
        // A method of the user's own comes after the paper's, although "mine" sorts before "paft" and "sft".
        EvalFiles.Write(Path.Combine(folder, "mine.json"), "piqa", [0.6, 0.6]);
        string outFolder = _data.PathOf("cmp");

        CliRunner.Result result = CliRunner.Run("compare", "--in", folder, "--out", outFolder);

        Assert.True(result.ExitCode == 0, result.Error);
        string[] expected =
        [
            "| Method | Templates | Clean Mean ± Std | Clean Min | Clean Top-85% | Adversarial Mean ± Std | Adversarial Min | Adversarial Top-85% |",
            "|:---|---:|---:|---:|---:|---:|---:|---:|",
            "| base | 2 / 2 | 55.00 ± 5.00 | 50.00 | 0.00 | 40.00 ± 10.00 | 30.00 | 0.00 |",
            "| sft | 2 / — | 70.00 ± 0.00 | 70.00 | 0.00 | — | — | — |",
            "| paft | 2 / 2 | 85.00 ± 5.00 | 80.00 | 50.00 | 90.00 ± 5.00 | 85.00 | 100.00 |",
            "| mine | 2 / — | 60.00 ± 0.00 | 60.00 | 0.00 | — | — | — |",
        ];
        Assert.Equal(expected, result.Output.Split('\n').Take(6).ToArray());
        // Within each set the template ids agree; the clean and adversarial ids differ by design and are no warning.
        Assert.Empty(result.Error);
        string markdown = File.ReadAllText(Path.Combine(outFolder, CompareCommand.MarkdownFileName));
        foreach (string line in expected)
            Assert.Contains(line, markdown);
        Assert.Contains($"]({ReportWriter.DistributionFileName})", markdown);
        ReportWriterTests.AssertPng(Path.Combine(outFolder, ReportWriter.DistributionFileName));
    }

    [Fact]
    public void NamedRuns_TakeTheTestSetFromTheRun_AndWarnOfMismatchWithinTheAdversarialSet()
    {
        string a = EvalFiles.Write(_data.PathOf("a.json"), "piqa", [0.5]);
        string aAdv = EvalFiles.Write(_data.PathOf("a-adv.json"), "piqa", [0.25], testSet: "adversarial");
        string bAdv = EvalFiles.Write(_data.PathOf("b-adv.json"), "piqa", [0.25, 0.75], testSet: "adversarial");

        CliRunner.Result result = CliRunner.Run("compare", "--run", $"A={a}", "--run", $"A={aAdv}", "--run", $"B={bAdv}", "--allow-mismatch");

        Assert.True(result.ExitCode == 0, result.Error);
        string[] rows = result.Output.Split('\n').Skip(2).TakeWhile(l => l.Length > 0).ToArray();
        Assert.Equal(["| A | 1 / 1 | 50.00 ± 0.00 | 50.00 | 0.00 | 25.00 ± 0.00 | 25.00 | 0.00 |",
                      "| B (!) mismatch | — / 2 | — | — | — | 50.00 ± 25.00 | 25.00 | 0.00 |"], rows);
        Assert.Contains($"WARNING: '{aAdv}' (A (adversarial)) and '{bAdv}' (B (adversarial)) differ in test templates", result.Error);
        Assert.Equal(2, CliRunner.Run("compare", "--run", $"A={a}", "--run", $"A={aAdv}", "--run", $"B={bAdv}").ExitCode);
    }

    [Fact]
    public void TwoAdversarialEvaluationsOfOneMethod_ExitTwo()
    {
        string a = EvalFiles.Write(_data.PathOf("a.json"), "piqa", [0.5], testSet: "adversarial");
        string b = EvalFiles.Write(_data.PathOf("b.json"), "piqa", [0.6], testSet: "adversarial");

        CliRunner.Result result = CliRunner.Run("compare", "--run", $"x={a}", "--run", $"x={b}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Two adversarial evaluations are named 'x'", result.Error);
    }

    [Theory]
    [InlineData("paft.adversarial.json", "clean")]
    [InlineData("paft.adversarial.json", null)]
    [InlineData("paft.json", "adversarial")]
    public void FileNameAndRunDisagreeingOnTheTestSet_ExitTwoNamingTheFile_AndWriteNothing(string name, string? testSet)
    {
        string folder = _data.PathOf("eval");
        EvalFiles.Write(Path.Combine(folder, "base.json"), "piqa", [0.5]);
        string wrong = EvalFiles.Write(Path.Combine(folder, name), "piqa", [0.5], testSet: testSet);
        string outFolder = _data.PathOf("cmp");

        CliRunner.Result result = CliRunner.Run("compare", "--in", folder, "--out", outFolder);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(wrong, result.Error);
        Assert.Contains("testSet", result.Error);
        Assert.False(Directory.Exists(outFolder));
    }

    [Fact]
    public void UnknownTestSet_ExitsTwoNamingTheFile()
    {
        string odd = EvalFiles.Write(_data.PathOf("odd.json"), "piqa", [0.5], testSet: "noisy");

        CliRunner.Result result = CliRunner.Run("compare", "--run", $"x={odd}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(odd, result.Error);
        Assert.Contains("'noisy'", result.Error);
    }

    [Fact]
    public void WithoutAdversarialRows_OutWritesTheUnpairedTableAndTheFigure()
    {
        string a = EvalFiles.Write(_data.PathOf("a.json"), "piqa", [0.5, 0.9], testSet: "clean");
        string outFolder = _data.PathOf("cmp");

        CliRunner.Result result = CliRunner.Run("compare", "--run", $"a={a}", "--out", outFolder);

        Assert.True(result.ExitCode == 0, result.Error);
        string markdown = File.ReadAllText(Path.Combine(outFolder, CompareCommand.MarkdownFileName));
        Assert.Contains("| Method | Templates | Mean ± Std | Min | Max | Top-85% |\n|:---|---:|---:|---:|---:|---:|\n| a | 2 | 70.00 ± 20.00 | 50.00 | 90.00 | 50.00 |\n", markdown);
        Assert.DoesNotContain("dversarial", markdown);
        ReportWriterTests.AssertPng(Path.Combine(outFolder, ReportWriter.DistributionFileName));
    }
}
