using System.Text.Json;
using Paft.Cli.Tests.Prompts;
using Paft.MLNet;
using Paft.MLNet.Training;

namespace Paft.Cli.Tests.Train;

public sealed class TrainCommandConfigTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void PrintConfig_FlagsOverrideTheFile_FileFillsTheRest_DefaultsAreTheTrainers()
    {
        string config = _data.PathOf("run.json");
        File.WriteAllText(config, """
            {
              // comments are allowed
              "model": "models/base",
              "task": "piqa",
              "epochs": 5,
              "lr": 0.01,
              "loraTargets": ["q_proj", "k_proj"],
              "out": "runs/paft"
            }
            """);

        CliRunner.Result result = CliRunner.Run("train", "--config", config, "--epochs", "2", "--seed", "7", "--print-config");

        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement root = json.RootElement;
        Assert.Equal(2, root.GetProperty("epochs").GetInt32());                 // flag beats file
        Assert.Equal(7, root.GetProperty("seed").GetInt32());                   // flag only
        Assert.Equal(0.01, root.GetProperty("lr").GetDouble());                 // file only
        Assert.Equal(["q_proj", "k_proj"], root.GetProperty("loraTargets").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(new PaftTrainerOptions().RedrawEverySteps, root.GetProperty("k").GetInt32()); // neither: the trainer's default
        Assert.Equal(new PaftTrainerOptions().BatchSize, root.GetProperty("batchSize").GetInt32());
        Assert.Equal("loglik", root.GetProperty("mode").GetString());
        // Relative paths in the file are relative to the file, and the checkpoints default beside the output.
        Assert.Equal(_data.PathOf("models", "base"), root.GetProperty("model").GetString());
        Assert.Equal(_data.PathOf("runs", "paft"), root.GetProperty("out").GetString());
        Assert.Equal(_data.PathOf("runs", "paft-checkpoints"), root.GetProperty("checkpointDir").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("templateId").ValueKind);
    }

    [Fact]
    public void DtypeAndGradientCheckpointing_DefaultToFp32AndOff_FlagsSetThem_AndAWrongDtypeInTheFileIsNamed()
    {
        using JsonDocument defaults = JsonDocument.Parse(CliRunner.Run("train", "--print-config").Output);
        Assert.Equal("fp32", defaults.RootElement.GetProperty("dtype").GetString());
        Assert.False(defaults.RootElement.GetProperty("gradientCheckpointing").GetBoolean());

        using JsonDocument flags = JsonDocument.Parse(CliRunner.Run("train", "--dtype", "bf16", "--gradient-checkpointing", "--print-config").Output);
        Assert.Equal("bf16", flags.RootElement.GetProperty("dtype").GetString());
        Assert.True(flags.RootElement.GetProperty("gradientCheckpointing").GetBoolean());

        string config = _data.PathOf("fp16.json");
        File.WriteAllText(config, """{ "model": "m", "task": "piqa", "data": "d", "prompts": "p", "out": "o", "dtype": "fp16" }""");
        CliRunner.Result result = CliRunner.Run("train", "--config", config);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--dtype (config key 'dtype') must be fp32 or bf16", result.Error);
    }

    [Fact]
    public void PrintConfig_OutputIsAConfigFileThatReadsBackTheSame()
    {
        CliRunner.Result first = CliRunner.Run("train", "--model", _data.PathOf("m"), "--task", "piqa", "--lora-targets", "q_proj, o_proj", "--k", "2", "--print-config");
        string saved = _data.PathOf("saved.json");
        File.WriteAllText(saved, first.Output);

        CliRunner.Result second = CliRunner.Run("train", "--config", saved, "--print-config");

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(first.Output, second.Output);
        Assert.Contains("\"o_proj\"", first.Output);
    }

    [Fact]
    public void Recipe_FillsTheSettingsFlagsDoNotGive_FromPaftRecipes()
    {
        CliRunner.Result small = CliRunner.Run("train", "--recipe", "small-model", "--lr", "0.002", "--print-config");
        CliRunner.Result paper = CliRunner.Run("train", "--print-config");

        Assert.True(small.ExitCode == 0, small.Error);
        JsonElement s = JsonDocument.Parse(small.Output).RootElement, p = JsonDocument.Parse(paper.Output).RootElement;
        PaftTrainerOptions recipe = PaftRecipes.SmallModel();
        Assert.Equal("small-model", s.GetProperty("recipe").GetString());
        Assert.Equal("option-text", s.GetProperty("answerTarget").GetString());
        Assert.Equal("loglik-option", s.GetProperty("mode").GetString());
        Assert.Equal(0.002, s.GetProperty("lr").GetDouble());                       // the flag wins over the recipe
        Assert.Equal(recipe.Lora.Rank, s.GetProperty("loraR").GetInt32());
        Assert.Equal(recipe.Lora.Alpha, s.GetProperty("loraAlpha").GetDouble());
        Assert.Equal(recipe.BatchSize, s.GetProperty("batchSize").GetInt32());
        Assert.Equal(recipe.MaxLength, s.GetProperty("maxLength").GetInt32());
        // Without --recipe: the paper's, which are the trainer's own defaults.
        Assert.Equal("paper", p.GetProperty("recipe").GetString());
        Assert.Equal("letter", p.GetProperty("answerTarget").GetString());
        Assert.Equal(new PaftTrainerOptions().LearningRate, p.GetProperty("lr").GetDouble());
        Assert.Equal(new PaftTrainerOptions().Lora.Rank, p.GetProperty("loraR").GetInt32());

        CliRunner.Result bad = CliRunner.Run("train", "--recipe", "huge", "--print-config");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--recipe", bad.Error);
    }

    [Fact]
    public void UnknownConfigKey_ExitsTwoNamingFileAndKey()
    {
        string config = _data.PathOf("bad.json");
        File.WriteAllText(config, """{ "task": "piqa", "epochz": 3 }""");

        CliRunner.Result result = CliRunner.Run("train", "--config", config, "--print-config");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(config, result.Error);
        Assert.Contains("epochz", result.Error);
    }

    [Fact]
    public void WrongTypeInConfig_ExitsTwoNamingTheKey()
    {
        string config = _data.PathOf("bad.json");
        File.WriteAllText(config, """{ "epochs": "three" }""");

        CliRunner.Result result = CliRunner.Run("train", "--config", config, "--print-config");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("epochs", result.Error);
    }

    [Fact]
    public void MissingRequiredSetting_ExitsTwoNamingFlagAndKey()
    {
        CliRunner.Result result = CliRunner.Run("train", "--task", "piqa", "--data", "d.jsonl", "--prompts", "p.jsonl", "--out", _data.PathOf("o"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --model is required (or 'model' in the --config file).", result.Error.Trim());
        Assert.False(Directory.Exists(_data.PathOf("o")));
    }

    [Fact]
    public void SwitchesSetInTheFile_StayOnUnlessTheCommandLineTurnsThemOff()
    {
        string config = _data.PathOf("switches.json");
        File.WriteAllText(config, """{ "topAccuracy": true, "escapedNewlines": true, "validation": "valid.jsonl" }""");

        using JsonDocument fromFile = JsonDocument.Parse(CliRunner.Run("train", "--config", config, "--print-config").Output);
        Assert.True(fromFile.RootElement.GetProperty("topAccuracy").GetBoolean());
        Assert.True(fromFile.RootElement.GetProperty("escapedNewlines").GetBoolean());

        using JsonDocument overridden = JsonDocument.Parse(CliRunner.Run("train", "--config", config, "--top-accuracy", "false", "--print-config").Output);
        Assert.False(overridden.RootElement.GetProperty("topAccuracy").GetBoolean());
        Assert.True(overridden.RootElement.GetProperty("escapedNewlines").GetBoolean());
    }

    [Fact]
    public void TemplateIdWithTopAccuracy_ExitsTwo()
    {
        CliRunner.Result result = CliRunner.Run("train", "--model", "m", "--task", "piqa", "--data", "d", "--prompts", "p", "--out", "o",
            "--template-id", "a", "--top-accuracy", "--validation", "v");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--template-id and --top-accuracy", result.Error);
    }

    [Theory]
    [InlineData("--zopo and --batprompt both choose the SFT template", "--zopo", "--batprompt", "--validation", "v")]
    [InlineData("--top-accuracy and --zopo both choose the SFT template", "--top-accuracy", "--zopo", "--validation", "v")]
    [InlineData("--template-id and --batprompt both choose the SFT template", "--template-id", "a", "--batprompt", "--validation", "v")]
    [InlineData("--template-id, --top-accuracy, --zopo and --batprompt all choose the SFT template",
        "--template-id", "a", "--top-accuracy", "--zopo", "--batprompt", "--validation", "v")]
    [InlineData("--zopo needs --validation FILE", "--zopo")]
    [InlineData("--batprompt needs --validation FILE", "--batprompt")]
    [InlineData("--zopo-budget (config key 'zopoBudget') applies to --zopo only", "--batprompt", "--validation", "v", "--zopo-budget", "3")]
    [InlineData("--zopo-budget must be at least 1 (got 0)", "--zopo", "--validation", "v", "--zopo-budget", "0")]
    public void SelectionBaselineConflicts_ExitTwoNamingTheFlags(string message, params string[] flags)
    {
        CliRunner.Result result = CliRunner.Run(["train", "--model", "m", "--task", "piqa", "--data", "d", "--prompts", "p", "--out", _data.PathOf("o"), .. flags]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.False(Directory.Exists(_data.PathOf("o")));
    }

    [Fact]
    public void ZopoAndBatpromptSettings_ComeFromTheConfigFile_AndTheBudgetDefaultsOnlyWithZopo()
    {
        string config = _data.PathOf("zopo.json");
        File.WriteAllText(config, """{ "zopo": true, "zopoBudget": 5, "validation": "valid.jsonl" }""");

        using JsonDocument zopo = JsonDocument.Parse(CliRunner.Run("train", "--config", config, "--print-config").Output);
        Assert.True(zopo.RootElement.GetProperty("zopo").GetBoolean());
        Assert.Equal(5, zopo.RootElement.GetProperty("zopoBudget").GetInt32());
        Assert.False(zopo.RootElement.GetProperty("batprompt").GetBoolean());

        using JsonDocument defaults = JsonDocument.Parse(CliRunner.Run("train", "--zopo", "--print-config").Output);
        Assert.Equal(20, defaults.RootElement.GetProperty("zopoBudget").GetInt32());
        using JsonDocument batprompt = JsonDocument.Parse(CliRunner.Run("train", "--batprompt", "--print-config").Output);
        Assert.True(batprompt.RootElement.GetProperty("batprompt").GetBoolean());
        Assert.Equal(JsonValueKind.Null, batprompt.RootElement.GetProperty("zopoBudget").ValueKind);
    }
}
