using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paft.Cli.Terminal;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Commands;

/// <summary>
/// Issue 13: every expected failure of every command is one line naming the input and exit code 2, with no stack trace;
/// an unexpected one says it is a bug and where to report it. Each case here used to end in a stack trace.
/// </summary>
public sealed class ErrorPathTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private static void AssertOneLineBadInput(CliRunner.Result result, params string[] mentions)
    {
        Assert.Equal(CommandExit.BadInput, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on standard error, got:\n" + result.Error);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", result.Error);
        foreach (string mention in mentions)
            Assert.Contains(mention, lines[0]);
    }

    /// <summary>A copy of the tiny Llama 2 fixture whose config.json is changed by <paramref name="edit"/>.</summary>
    private string ModelWithConfig(Func<JsonNode, JsonNode> edit)
    {
        string folder = _data.PathOf("model");
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.EnumerateFiles(WorkflowTestData.Model))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        string config = Path.Combine(folder, "config.json");
        JsonNode edited = edit(JsonNode.Parse(File.ReadAllText(config))!);
        File.SetAttributes(config, FileAttributes.Normal);
        File.WriteAllText(config, edited.ToJsonString());
        return folder;
    }

    private CliRunner.Result Score(string model)
    {
        string ids = _data.PathOf("ids.txt");
        File.WriteAllText(ids, "1 2 3\n");
        return CliRunner.Run("score", "--model", model, "--token-ids", ids);
    }

    [SharedTheory]
    [InlineData("num_attention_heads")]
    [InlineData("num_key_value_heads")]
    public void ZeroHeadsInConfig_IsOneLineNamingConfigAndKey(string key)
    {
        string model = ModelWithConfig(config =>
        {
            config[key] = 0;
            return config;
        });
        AssertOneLineBadInput(Score(model), "config.json", $"'{key}'", "must be positive");
    }

    [SharedFact]
    public void ConfigThatIsAJsonArray_IsOneLineNamingConfig()
    {
        string model = ModelWithConfig(config => new JsonArray(config.DeepClone()));
        AssertOneLineBadInput(Score(model), "config.json", "must be a JSON object");
    }

    [SharedFact]
    public void NegativeRmsNormEps_IsOneLineNamingConfigAndKey()
    {
        string model = ModelWithConfig(config =>
        {
            config["rms_norm_eps"] = -1e-5;
            return config;
        });
        AssertOneLineBadInput(Score(model), "config.json", "'rms_norm_eps'");
    }

    [Fact]
    public void UnsetApiKeyVariable_InPromptsGenerate_IsOneLineNamingTheVariable()
    {
        const string variable = "PAFT_TEST_ISSUE13_UNSET_KEY";
        Assert.Null(Environment.GetEnvironmentVariable(variable));
        CliRunner.Result result = CliRunner.Run("prompts", "generate", "--task", "piqa", "--count", "2", "--out", _data.PathOf("pool.jsonl"),
            "--endpoint", "http://127.0.0.1:9/v1", "--model", "m", "--api-key-env", variable);
        AssertOneLineBadInput(result, variable);
        Assert.False(File.Exists(_data.PathOf("pool.jsonl")));
    }

    [Fact]
    public void EvalWithAOneMegabyteTemplate_IsOneLineNamingThePoolAndTheLimit()
    {
        string pool = _data.PathOf("huge.jsonl");
        File.WriteAllText(pool, JsonSerializer.Serialize(new { id = "huge", text = "Goal: {goal}\nA. {sol1}\nB. {sol2}\n" + new string('x', 1 << 20) + "\nAnswer:" }) + "\n");
        CliRunner.Result result = CliRunner.Run("eval", "--model", _data.PathOf("no-model"), "--task", "piqa", "--data", _data.PathOf("no-data.jsonl"),
            "--prompts", pool, "--out", _data.PathOf("eval.json"));
        AssertOneLineBadInput(result, pool, "InputLimits.MaxTemplateLength");
    }

    [SharedFact]
    public void PromptLongerThanMaxLength_InTrain_IsOneLine()
    {
        CliRunner.Result result = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", _data.WritePool(), "--limit", "2", "--batch-size", "2", "--epochs", "1", "--max-length", "8", "--out", _data.PathOf("out"));
        AssertOneLineBadInput(result, "MaxLength 8");
        Assert.False(File.Exists(_data.PathOf("out", "paft_model.json")));
    }

    [Fact]
    public void InvalidUtf8Pool_InPromptsSplit_IsOneLineWithTheOffset_AndNothingIsWritten()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("{\"id\":\"a\",\"text\":\"Goal {goal} Answer:\"}\n{\"id\":\"b\",\"text\":\"caf"), 0xE9, .. Encoding.UTF8.GetBytes(" {goal}\"}\n")];
        string pool = _data.PathOf("latin1.jsonl");
        File.WriteAllBytes(pool, bytes);
        CliRunner.Result result = CliRunner.Run("prompts", "split", "--prompts", pool, "--test-fraction", "0.5", "--seed", "1",
            "--train-out", _data.PathOf("train.jsonl"), "--test-out", _data.PathOf("test.jsonl"));
        AssertOneLineBadInput(result, pool, "invalid UTF-8 at byte offset 61");
        Assert.False(File.Exists(_data.PathOf("train.jsonl")));
        Assert.False(File.Exists(_data.PathOf("test.jsonl")));
    }

    [Fact]
    public void Verbose_IsAcceptedByEveryCommand_AndAddsTheTraceToAnError()
    {
        CliRunner.Result quiet = CliRunner.Run("prompts", "stats", "--prompts", _data.PathOf("missing.jsonl"));
        AssertOneLineBadInput(quiet, "missing.jsonl");
        CliRunner.Result verbose = CliRunner.Run("prompts", "stats", "--prompts", _data.PathOf("missing.jsonl"), "--verbose");
        Assert.Equal(CommandExit.BadInput, verbose.ExitCode);
        Assert.StartsWith(quiet.Error.TrimEnd(), verbose.Error);
        Assert.Contains("   at ", verbose.Error);
    }

    [Fact]
    public void UnexpectedException_SaysItIsABug_WhereToReportIt_AndNoTraceUnlessVerbose()
    {
        var quiet = new StringWriter();
        int code = CommandExit.Report(new NullReferenceException("Object reference not set to an instance of an object."), quiet, verbose: false);
        Assert.Equal(CommandExit.Bug, code);
        string[] lines = quiet.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("error: unexpected NullReferenceException: Object reference not set to an instance of an object.", lines[0]);
        Assert.Contains("This is a bug in paft", lines[1]);
        Assert.Contains(CommandExit.IssuesUrl, lines[1]);
        Assert.Contains("--verbose", lines[1]);

        var verbose = new StringWriter();
        Exception thrown;
        try
        {
            throw new KeyNotFoundException("missing");
        }
        catch (KeyNotFoundException e)
        {
            thrown = e;
        }
        Assert.Equal(CommandExit.Bug, CommandExit.Report(thrown, verbose, verbose: true));
        Assert.Contains("   at ", verbose.ToString());
    }

    [Fact]
    public void BadInputInsideAnAggregate_IsStillOneLine()
    {
        var error = new StringWriter();
        int code = CommandExit.Report(new AggregateException(new InvalidDataException("pool.jsonl line 3: bad")), error, verbose: false);
        Assert.Equal(CommandExit.BadInput, code);
        Assert.Equal("error: pool.jsonl line 3: bad\n", error.ToString().ReplaceLineEndings("\n"));
    }
}
