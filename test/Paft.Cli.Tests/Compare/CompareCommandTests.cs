using Paft.Cli.Commands;
using Paft.Cli.Tests.Prompts;
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

        CliRunner.Result result = CliRunner.Run("compare", "--run", $"SFT={sft}", "--run", $"PAFT={paft}", "--out", outFolder);

        Assert.True(result.ExitCode == 0, result.Error);
        string[] expected =
        [
            "| Method | Templates | Mean ± Std | Min | Max | Top-85% |",
            "|:---|---:|---:|---:|---:|---:|",
            "| SFT | 3 | 75.00 ± 20.41 | 50.00 | 100.00 | 33.33 |",
            "| PAFT | 4 | 85.00 ± 3.54 | 80.00 | 90.00 | 75.00 |",
        ];
        Assert.Equal(expected, result.Output.Split('\n').Take(4).ToArray());
        // 3 and 4 templates: not the same test set, and the user is told so.
        Assert.Contains("warning: 'SFT' and 'PAFT' were evaluated on different test templates", result.Error);
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
        string[] rows = result.Output.Split('\n').Skip(2).Where(l => l.Length > 0).ToArray();
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
}
