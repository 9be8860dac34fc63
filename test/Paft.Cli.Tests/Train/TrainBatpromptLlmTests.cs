using System.Text.Json;
using Microsoft.ML;
using Paft.Cli.Tests.Prompts;
using Paft.MLNet;
using Paft.MLNet.Tests.PromptGeneration;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary><c>paft train --batprompt --endpoint ...</c>: BATprompt's LLM rounds against a real HTTP server on loopback.</summary>
public sealed class TrainBatpromptLlmTests : IDisposable
{
    // The tiny fixture model answers nearly every PIQA row with the same letter, whatever the input. Under these two pool
    // templates the character noise flips some of its answers (on the 6 validation rows: clean 33.3%, perturbed 25.0%);
    // under the LLM's template it does not (33.3% both): least drop, so the LLM's template wins by construction.
    private static readonly (string Id, string Text)[] Pool =
    [
        ("objective", "Objective: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:"),
        ("aim", "Aim: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:"),
    ];

    private const string LlmTemplate = "Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:";
    private const string MissingSol2 = "Goal: {goal}\nA. {sol1}\nAnswer:";

    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private string WritePool()
    {
        string path = _data.PathOf("llm-pool.jsonl");
        File.WriteAllLines(path, Pool.Select(t => JsonSerializer.Serialize(new { id = t.Id, text = t.Text })));
        return path;
    }

    private string[] Train(string pool, string validation, string model, params string[] extra) =>
    [
        "train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa, "--prompts", pool, "--limit", "2",
        "--batch-size", "2", "--epochs", "1", "--batprompt", "--validation", validation, "--out", model, .. extra,
    ];

    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static string[] Ids(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    [SharedFact]
    public async Task TrainsOnTheLlmsTemplate_WhenItDropsLeast_AndRecordsIt_WithoutWritingTheKey()
    {
        string secret = "sk-batllm-" + Guid.NewGuid().ToString("N");
        string variable = "PAFT_BATLLM_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        // Every round gets the same reply: round 1 scores the new template and rejects an invalid one and a copy of a pool
        // template; round 2 has nothing new.
        await using var server = LoopbackLlmServer.Start((request, n) =>
            ScriptedResponse.Chat(request, JsonSerializer.Serialize(new[] { LlmTemplate, MissingSol2, Pool[1].Text })));
        string pool = WritePool();
        string validation = _data.WriteValidation(6);
        string model = _data.PathOf("llm");
        Environment.SetEnvironmentVariable(variable, secret);
        CliRunner.Result train;
        try
        {
            train = CliRunner.Run(Train(pool, validation, model, "--endpoint", server.OpenAIEndpoint.ToString(), "--llm-model", "scripted",
                "--api-key-env", variable, "--batprompt-rounds", "2"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Assert.True(train.ExitCode == 0, train.Output + train.Error);
        // Two rounds, two requests, each carrying the key and the current best template.
        Assert.Equal(2, server.RequestCount);
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + secret, r.Headers["Authorization"]));
        Assert.Contains("Objective: {goal}", server.Requests[0].Body);
        Assert.Contains("Goal: {goal}", server.Requests[1].Body);

        // Each round's outcome, and the chosen template's text (it is in no pool file).
        Assert.Contains("BATprompt round 1: 1 LLM template(s) scored, 2 rejected; best so far 'batprompt-r1-1' (LLM, round 1): clean 33.3%, perturbed 33.3%.", train.Output);
        Assert.Contains("  rejected batprompt-r1-2: ", train.Output);
        Assert.Contains("  rejected batprompt-r1-3: duplicate", train.Output);
        Assert.Contains("BATprompt round 2: 0 LLM template(s) scored, 3 rejected; best so far 'batprompt-r1-1'", train.Output);
        Assert.Contains("BATprompt SFT on template 'batprompt-r1-1', written by the LLM in round 1 (least drop under input noise of 3 templates " +
            "(2 of --prompts, 1 by the LLM): clean 33.3%, perturbed 33.3%)", train.Output);
        Assert.Contains("  | Goal: {goal}\n  | A. {sol1}\n", train.Output.ReplaceLineEndings("\n"));

        // The model trained on it and answers with it.
        JsonElement manifest = Json(Path.Combine(model, "paft_model.json"));
        Assert.Equal("batprompt-r1-1", manifest.GetProperty("inference_template").GetProperty("id").GetString());
        Assert.Equal(LlmTemplate, manifest.GetProperty("inference_template").GetProperty("text").GetString());
        Assert.Equal(["batprompt-r1-1"], Ids(manifest.GetProperty("training").GetProperty("training_template_ids")));
        PaftTransformer loaded = PaftTransformer.Load(new MLContext(0), model);
        Assert.Equal(LlmTemplate, loaded.InferenceTemplate.Text);

        // train_config.json: the LLM by endpoint, model and the key's variable name; the template and where it came from.
        JsonElement config = Json(Path.Combine(model, "train_config.json"));
        Assert.Equal(server.OpenAIEndpoint.ToString(), config.GetProperty("endpoint").GetString());
        Assert.Equal("scripted", config.GetProperty("llmModel").GetString());
        Assert.Equal(variable, config.GetProperty("apiKeyEnv").GetString());
        Assert.Equal(2, config.GetProperty("batpromptRounds").GetInt32());
        JsonElement chosen = config.GetProperty("chosenTemplate");
        Assert.Equal(("batprompt-r1-1", LlmTemplate, "llm", 1), (chosen.GetProperty("id").GetString(), chosen.GetProperty("text").GetString(),
            chosen.GetProperty("source").GetString(), chosen.GetProperty("round").GetInt32()));
        Assert.Contains("scripted", chosen.GetProperty("llm").GetString());

        // The key went to the server and nowhere else.
        Assert.DoesNotContain(secret, train.Output + train.Error);
        foreach (string file in Directory.GetFiles(_data.Folder, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(secret, File.ReadAllText(file));

        // The written config reads back as a --config file (the chosen template is a record, not a setting).
        CliRunner.Result again = CliRunner.Run("train", "--config", Path.Combine(model, "train_config.json"), "--print-config");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.DoesNotContain("chosenTemplate\": {", again.Output);
        Assert.Contains($"\"apiKeyEnv\": \"{variable}\"", again.Output);
    }

    [SharedFact]
    public void AnUnreachableLlm_StopsTheRounds_AndTrainsOnTheBestPoolTemplate()
    {
        string pool = _data.WritePool();
        string validation = _data.WriteValidation(6);
        string offline = _data.PathOf("offline");
        CliRunner.Result reference = CliRunner.Run(Train(pool, validation, offline));
        Assert.True(reference.ExitCode == 0, reference.Error);
        string expected = Json(Path.Combine(offline, "paft_model.json")).GetProperty("inference_template").GetProperty("id").GetString()!;

        // Port 1 on loopback: nothing listens, the connection is refused at once.
        string model = _data.PathOf("unreachable");
        CliRunner.Result train = CliRunner.Run(Train(pool, validation, model, "--endpoint", "http://127.0.0.1:1/v1", "--llm-model", "m"));

        Assert.True(train.ExitCode == 0, train.Output + train.Error);
        Assert.Contains("BATprompt round 1: stopped, round 1: the chat request failed (", train.Output);
        Assert.Contains("no further rounds.", train.Output);
        Assert.Contains("warning: the LLM rounds of --batprompt stopped: round 1: the chat request failed", train.Error);
        Assert.DoesNotContain("BATprompt round 2", train.Output);
        Assert.Contains($"BATprompt SFT on template '{expected}' (least drop under input noise of 3 templates: ", train.Output);
        Assert.Equal([expected], Ids(Json(Path.Combine(model, "paft_model.json")).GetProperty("training").GetProperty("training_template_ids")));
        JsonElement chosen = Json(Path.Combine(model, "train_config.json")).GetProperty("chosenTemplate");
        Assert.Equal((expected, "pool"), (chosen.GetProperty("id").GetString(), chosen.GetProperty("source").GetString()));
    }

    [SharedFact]
    public void AnUnreachableLlm_ForTheRewrites_IsAnInputErrorNamingTheFlag()
    {
        string model = _data.PathOf("rewrite");
        CliRunner.Result train = CliRunner.Run(Train(_data.WritePool(), _data.WriteValidation(2), model,
            "--endpoint", "http://127.0.0.1:1/v1", "--llm-model", "m", "--batprompt-rewrite", "paraphrase"));

        Assert.Equal(2, train.ExitCode);
        Assert.Contains("error: --batprompt-rewrite: the LLM at --endpoint http://127.0.0.1:1/v1 could not rewrite the validation inputs", train.Error);
        Assert.False(Directory.Exists(model));
    }

    [SharedFact]
    public void AnUnsetKeyVariable_IsAnInputErrorNamingTheFlag()
    {
        string model = _data.PathOf("nokey");
        string variable = "PAFT_BATLLM_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        CliRunner.Result train = CliRunner.Run(Train(_data.WritePool(), _data.WriteValidation(2), model,
            "--endpoint", "http://127.0.0.1:1/v1", "--llm-model", "m", "--api-key-env", variable));

        Assert.Equal(2, train.ExitCode);
        Assert.Contains($"error: --api-key-env: The API-key environment variable '{variable}' is not set", train.Error);
        Assert.False(Directory.Exists(model));
    }

    /// <summary>The LLM options' mistakes, caught before any file is read: exit 2, the message naming the flags.</summary>
    [Theory]
    [InlineData("--batprompt-rewrite needs --endpoint", "--batprompt", "--validation", "v.jsonl", "--batprompt-rewrite", "synonym")]
    [InlineData("--endpoint (config key 'endpoint') applies to --batprompt only", "--endpoint", "http://127.0.0.1:9/v1", "--llm-model", "m")]
    [InlineData("--batprompt-rounds (config key 'batpromptRounds') applies to --batprompt only", "--batprompt-rounds", "2")]
    [InlineData("--endpoint was given 2 times: paft train --batprompt talks to one LLM", "--batprompt", "--validation", "v.jsonl",
        "--endpoint", "http://127.0.0.1:9/v1", "--endpoint", "http://127.0.0.1:8/v1", "--llm-model", "m")]
    [InlineData("Give --llm-model", "--batprompt", "--validation", "v.jsonl", "--endpoint", "http://127.0.0.1:9/v1")]
    [InlineData("--llm-model (config key 'llmModel') needs --endpoint", "--batprompt", "--validation", "v.jsonl", "--llm-model", "m")]
    [InlineData("--endpoint 'ftp://x/v1' is not an http(s) URL", "--batprompt", "--validation", "v.jsonl", "--endpoint", "ftp://x/v1", "--llm-model", "m")]
    [InlineData("--batprompt-rewrite 'typos' is not a rewrite; use one of synonym, paraphrase", "--batprompt", "--validation", "v.jsonl",
        "--endpoint", "http://127.0.0.1:9/v1", "--llm-model", "m", "--batprompt-rewrite", "typos")]
    [InlineData("--batprompt-rounds must be 0 or more", "--batprompt", "--validation", "v.jsonl", "--endpoint", "http://127.0.0.1:9/v1", "--llm-model", "m",
        "--batprompt-rounds", "-1")]
    public void OptionMistakes_ExitTwo_NamingTheFlags(string expected, params string[] options)
    {
        string model = _data.PathOf("never");
        CliRunner.Result train = CliRunner.Run(["train", "--model", "base", "--task", "piqa", "--data", "d.jsonl", "--prompts", "p.jsonl",
            "--out", model, .. options]);
        Assert.Equal(2, train.ExitCode);
        Assert.Contains(expected, train.Error);
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public void PrintConfig_ShowsTheLlmSettingsInCamelCase_WithTheDefaultRounds()
    {
        CliRunner.Result print = CliRunner.Run("train", "--batprompt", "--validation", "v.jsonl", "--endpoint", "http://127.0.0.1:9/v1",
            "--llm-model", "m", "--kind", "ollama", "--api-key-env", "MY_KEY", "--batprompt-rewrite", "synonym", "--print-config");
        Assert.Equal(0, print.ExitCode);
        JsonElement config = JsonDocument.Parse(print.Output).RootElement;
        Assert.Equal(("http://127.0.0.1:9/v1", "m", "ollama", "MY_KEY", 3, "synonym"), (config.GetProperty("endpoint").GetString(),
            config.GetProperty("llmModel").GetString(), config.GetProperty("kind").GetString(), config.GetProperty("apiKeyEnv").GetString(),
            config.GetProperty("batpromptRounds").GetInt32(), config.GetProperty("batpromptRewrite").GetString()));
    }
}
