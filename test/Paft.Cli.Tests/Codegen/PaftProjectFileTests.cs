using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Paft.Cli.Project;
using Paft.Cli.Reporting;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;

namespace Paft.Cli.Tests.Codegen;

/// <summary><c>paft init</c> and <c>paft train --config NAME.paftconfig</c>: the same model as the flags, the outcome recorded, bad files refused by key.</summary>
public sealed class PaftProjectFileTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private static byte[] Adapter(string folder) => File.ReadAllBytes(Path.Combine(folder, "adapter_model.safetensors"));

    [SharedFact]
    public void InitThenTrainConfig_WritesTheAdapterBytesOfTheSameFlags_RecordsTheOutcome_AndARerunReproducesIt()
    {
        string pool = _data.WritePool();
        string[] run = ["--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa, "--prompts", pool,
            "--limit", "4", "--batch-size", "1", "--epochs", "1", "--k", "2", "--lr", "0.001", "--seed", "3"];
        string byFlags = _data.PathOf("flags-model");
        CliRunner.Result flags = CliRunner.Run(["train", .. run, "--out", byFlags]);
        Assert.True(flags.ExitCode == 0, flags.Error);

        CliRunner.Result init = CliRunner.Run(["init", "--name", "Piqa", "--dir", _data.Folder, .. run]);
        Assert.True(init.ExitCode == 0, init.Error);
        string project = _data.PathOf("Piqa.paftconfig");
        JsonObject before = JsonNode.Parse(File.ReadAllText(project))!.AsObject();
        Assert.Equal("paftconfig", (string?)before["format"]);
        Assert.Equal(1, (int?)before["version"]);
        Assert.Equal("Piqa-model", (string?)before["train"]!["out"]);        // default output beside the file, written relative to it
        Assert.Equal(["goal", "sol1", "sol2"], before["columns"]!["fields"]!.AsArray().Select(n => (string)n!));
        Assert.Null(before["lastRun"]);

        CliRunner.Result trained = CliRunner.Run("train", "--config", project);
        Assert.True(trained.ExitCode == 0, trained.Error);
        string byProject = _data.PathOf("Piqa-model");
        Assert.Equal(Adapter(byFlags), Adapter(byProject));

        // The outcome is written back; every key the user wrote is kept as it was.
        JsonObject after = JsonNode.Parse(File.ReadAllText(project))!.AsObject();
        JsonObject lastRun = after["lastRun"]!.AsObject();
        after.Remove("lastRun");
        Assert.True(JsonNode.DeepEquals(before, after));
        IReadOnlyList<TrainingLogEntry> log = TrainingLog.Load(Path.Combine(byProject, TrainingLog.FileName)).Entries;
        Assert.Equal("Piqa-model", (string?)lastRun["modelFolder"]);
        Assert.Equal(4, (int?)lastRun["steps"]);
        Assert.Equal(log[^1].Step, (int?)lastRun["steps"]);
        Assert.Equal(log[^1].Loss, (double?)lastRun["finalLoss"]);
        Assert.Equal(PaftVersion.Current, (string?)lastRun["paftVersion"]);
        Assert.InRange((double)lastRun["seconds"]!, 0.0, 3600.0);
        Assert.InRange(DateTimeOffset.Parse((string)lastRun["finishedAt"]!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow);
        string recorded = (string)lastRun["adapterSha256"]!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Adapter(byProject))), recorded);

        // Rerunning the file (replacing its own model) reproduces the recorded bytes.
        CliRunner.Result again = CliRunner.Run("train", "--config", project, "--force");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal(recorded, (string?)JsonNode.Parse(File.ReadAllText(project))!["lastRun"]!["adapterSha256"]);
    }

    /// <summary>A valid project file over stand-in files (they are checked for existence before anything is read).</summary>
    private string WriteProject(string name, Func<string, string> edit)
    {
        Directory.CreateDirectory(_data.PathOf("base"));
        File.WriteAllText(_data.PathOf("rows.jsonl"), "");
        File.WriteAllText(_data.PathOf("pool.jsonl"), "");
        string text = """
            {
              "format": "paftconfig",
              "version": 1,
              "name": "P",
              "columns": { "fields": ["goal", "sol1", "sol2"], "optionFields": ["sol1", "sol2"], "answerLabels": ["A", "B"], "label": "Label" },
              "train": { "model": "base", "task": "piqa", "data": "rows.jsonl", "prompts": "pool.jsonl", "epochs": 2, "out": "model" },
              "evaluation": { "data": "rows.jsonl", "prompts": "pool.jsonl" }
            }
            """;
        string path = _data.PathOf(name + ".paftconfig");
        File.WriteAllText(path, edit(text));
        return path;
    }

    [Theory]
    [InlineData("\"epochs\": 2", "\"epochz\": 2", "'train.epochz' is not a key")]
    [InlineData("\"epochs\": 2", "\"epochs\": \"two\"", "'train.epochs' has a value of the wrong type (expected an integer)")]
    [InlineData("\"data\": \"rows.jsonl\"", "\"data\": \"missing.jsonl\"", "'train.data'")]
    [InlineData("\"evaluation\": { \"data\": \"rows.jsonl\"", "\"evaluation\": { \"data\": \"gone.jsonl\"", "'evaluation.data'")]
    [InlineData("\"model\": \"base\"", "\"model\": \"nobase\"", "'train.model'")]
    [InlineData("\"version\": 1", "\"version\": 2", "'version' is 2: the file was written by a newer paft")]
    [InlineData("\"name\": \"P\",", "\"name\": \"P\", \"colour\": 1,", "'colour' is not a key")]
    [InlineData("\"answerLabels\": [\"A\", \"B\"]", "\"answerLabels\": [\"1\", \"2\"]", "'columns.answerLabels' differs from the task's")]
    public void ABadProjectFile_IsRefusedInOneLineNamingTheKey(string find, string replace, string expected)
    {
        string path = WriteProject("bad", text =>
        {
            Assert.Contains(find, text);
            return text.Replace(find, replace, StringComparison.Ordinal);
        });

        CliRunner.Result result = CliRunner.Run("train", "--config", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Contains("bad.paftconfig", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AProjectFile_IsRecognisedByItsFormatKey_AndItsTrainSectionIsPaftTrainsSettings_RelativeToTheFile()
    {
        string path = WriteProject("named", text => text);
        string asJson = _data.PathOf("named.json");
        File.Move(path, asJson);

        CliRunner.Result result = CliRunner.Run("train", "--config", asJson, "--seed", "5", "--print-config");

        Assert.True(result.ExitCode == 0, result.Error);
        JsonNode settings = JsonNode.Parse(result.Output)!;
        Assert.Equal(2, (int?)settings["epochs"]);                       // from the file's train section
        Assert.Equal(5, (int?)settings["seed"]);                         // a flag still overrides it
        Assert.Equal(_data.PathOf("base"), (string?)settings["model"]);  // relative to the file
        Assert.Equal(_data.PathOf("model"), (string?)settings["out"]);
    }
}
