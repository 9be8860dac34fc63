using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;

namespace Paft.Cli.Tests.Codegen;

/// <summary><c>paft codegen --model DIR</c> reads the run from the folder's train_config.json; what cannot be generated is said.</summary>
public sealed class CodegenCommandTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>A model folder as paft train leaves it, as far as codegen reads it: train_config.json (no trained model).</summary>
    private string ModelFolder(string name, string extraSettings)
    {
        string folder = _data.PathOf(name);
        Directory.CreateDirectory(folder);
        string pool = _data.WritePool();
        File.WriteAllText(Path.Combine(folder, "train_config.json"), $$"""
            { "model": "/models/base", "task": "piqa", "data": "rows.jsonl", "prompts": {{System.Text.Json.JsonSerializer.Serialize(pool)}}, {{extraSettings}} "out": "." }
            """);
        return folder;
    }

    [Fact]
    public void FromAModelFolder_TheRunsSettingsComeFromItsTrainConfig_AndTheNamesFromTheFolder()
    {
        string folder = ModelFolder("my-model", "\"templateId\": \"question\", \"epochs\": 5, \"lr\": 0.002,");
        string output = _data.PathOf("code");

        CliRunner.Result result = CliRunner.Run("codegen", "--model", folder, "--out", output);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("holds no model yet", result.Error);
        string consumption = File.ReadAllText(Path.Combine(output, "MyModel.consumption.cs"));
        Assert.Contains("namespace MyModelModel;", consumption);
        Assert.Contains($"public static string ModelPath {{ get; set; }} = @\"{folder}\";", consumption);
        string training = File.ReadAllText(Path.Combine(output, "MyModel.training.cs"));
        Assert.Contains("return mlContext.Paft().Trainers.SupervisedFineTuning(options, pool.Templates.First(t => t.Id == @\"question\"));", training);
        Assert.Contains("Epochs = 5,", training);
        Assert.Contains("LearningRate = 0.002,", training);
        Assert.Contains("RedrawEverySteps = 4,", training);                 // the default the run had, written out
        Assert.False(File.Exists(Path.Combine(output, "Program.cs")));       // no --project
    }

    [Fact]
    public void ASelectorRun_GetsConsumptionCodeOnly_AndAWarningWhy()
    {
        File.WriteAllText(_data.PathOf("validation.jsonl"), "");
        string folder = ModelFolder("zopo", $"\"zopo\": true, \"validation\": {System.Text.Json.JsonSerializer.Serialize(_data.PathOf("validation.jsonl"))},");
        string output = _data.PathOf("code");

        CliRunner.Result result = CliRunner.Run("codegen", "--model", folder, "--out", output, "--name", "Chosen");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Chosen.training.cs not written", result.Error);
        Assert.True(File.Exists(Path.Combine(output, "Chosen.consumption.cs")));
        Assert.False(File.Exists(Path.Combine(output, "Chosen.training.cs")));
    }

    [Fact]
    public void PaftReferenceWithoutAProject_AndNoModel_AreRefused()
    {
        string folder = ModelFolder("m", "");
        CliRunner.Result reference = CliRunner.Run("codegen", "--model", folder, "--out", _data.PathOf("code"), "--paft-reference", _data.PathOf("m", "train_config.json"));
        Assert.Equal(2, reference.ExitCode);
        Assert.Contains("--paft-reference applies to --project console", reference.Error);

        CliRunner.Result none = CliRunner.Run("codegen", "--out", _data.PathOf("code"));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--config NAME.paftconfig or --model DIR is required", none.Error);

        CliRunner.Result notTrained = CliRunner.Run("codegen", "--model", _data.Folder, "--out", _data.PathOf("code"));
        Assert.Equal(2, notTrained.ExitCode);
        Assert.Contains("has no train_config.json", notTrained.Error);
    }
}
