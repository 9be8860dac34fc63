using System.Text.Json;
using Paft.Cli.Tests.Prompts;
using Paft.MLNet.Tests.PromptGeneration;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary><c>paft train --zopo --embedding-endpoint ...</c>: ZOPO over a sentence-embedding model's vectors, served on loopback.</summary>
public sealed class TrainZopoEmbeddingTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private string[] Train(string model, params string[] extra) =>
    [
        "train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa, "--prompts", _data.WritePool(), "--limit", "2",
        "--batch-size", "2", "--epochs", "1", "--zopo", "--zopo-budget", "2", "--validation", _data.WriteValidation(6), "--out", model, .. extra,
    ];

    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    [SharedFact]
    public async Task TrainsOnTheSearchsTemplate_WithThePoolEmbeddedInOneRequest_AndRecordsTheEmbedder_WithoutWritingTheKey()
    {
        string secret = "sk-embed-" + Guid.NewGuid().ToString("N");
        string variable = "PAFT_EMBED_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await using var server = LoopbackLlmServer.Start((request, _) => ScriptedResponse.Embeddings(request, t => ScriptedResponse.HashVector(t)));
        string model = _data.PathOf("zopo-embedded");
        string name = $"openai:scripted-embed@{server.BaseUri.Authority}";
        Environment.SetEnvironmentVariable(variable, secret);
        CliRunner.Result train;
        try
        {
            train = CliRunner.Run(Train(model, "--embedding-endpoint", server.OpenAIEndpoint.ToString(), "--embedding-model", "scripted-embed",
                "--embedding-api-key-env", variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Assert.True(train.ExitCode == 0, train.Output + train.Error);
        // The whole pool in one request to /v1/embeddings, with the key.
        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("scripted-embed", request.Json.GetProperty("model").GetString());
        Assert.Equal(3, ScriptedResponse.EmbeddingInputs(request).Count);
        Assert.Contains(ScriptedResponse.EmbeddingInputs(request), t => t.StartsWith("Goal: {goal}", StringComparison.Ordinal));
        Assert.Equal("Bearer " + secret, request.Headers["Authorization"]);

        Assert.Contains($"ZOPO: the templates are embedded by {name} (at most 64 a request).", train.Output);
        Assert.Contains($"ZOPO: 3 templates embedded by {name} in 1 request(s).", train.Output);
        Assert.Contains("ZOPO SFT on template '", train.Output);
        Assert.Contains("(2 of 3 templates evaluated, best validation accuracy ", train.Output);

        // The model trained on the chosen template; train_config.json names the embedding model and the key's variable, not the key.
        JsonElement config = Json(Path.Combine(model, "train_config.json"));
        Assert.Equal(server.OpenAIEndpoint.ToString(), config.GetProperty("embeddingEndpoint").GetString());
        Assert.Equal("scripted-embed", config.GetProperty("embeddingModel").GetString());
        Assert.Equal(variable, config.GetProperty("embeddingApiKeyEnv").GetString());
        JsonElement chosen = config.GetProperty("chosenTemplate");
        Assert.Equal(name, chosen.GetProperty("embedder").GetString());
        Assert.Equal("pool", chosen.GetProperty("source").GetString());
        string id = chosen.GetProperty("id").GetString()!;
        Assert.Contains($"ZOPO SFT on template '{id}'", train.Output);
        Assert.Equal(id, Json(Path.Combine(model, "paft_model.json")).GetProperty("inference_template").GetProperty("id").GetString());

        Assert.DoesNotContain(secret, train.Output + train.Error);
        foreach (string file in Directory.GetFiles(_data.Folder, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(secret, File.ReadAllText(file));

        // The written config reads back as a --config file.
        CliRunner.Result again = CliRunner.Run("train", "--config", Path.Combine(model, "train_config.json"), "--print-config");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains($"\"embeddingApiKeyEnv\": \"{variable}\"", again.Output);
    }

    [SharedFact]
    public async Task AnEmbeddingModelThatFails_IsAnInputErrorNamingTheFlagTheModelAndATemplate_BeforeTheBaseModelIsLoaded()
    {
        await using var server = LoopbackLlmServer.Start((_, _) => ScriptedResponse.Error(400, body: "{\"error\":{\"message\":\"model not found\"}}"));
        string model = _data.PathOf("failed");

        CliRunner.Result train = CliRunner.Run(Train(model, "--embedding-endpoint", server.OpenAIEndpoint.ToString(), "--embedding-model", "missing"));

        Assert.Equal(2, train.ExitCode);
        Assert.Contains($"error: --embedding-endpoint: The embedding model openai:missing@{server.BaseUri.Authority} could not embed 3 templates " +
            "(the first: 'Goal: {goal} A. {sol1} B. {sol2} Answer:'): ", train.Error);
        Assert.Contains("Nothing was trained.", train.Error);
        Assert.Equal(1, server.RequestCount);
        Assert.False(Directory.Exists(model));
    }

    [SharedFact]
    public void AnUnsetKeyVariable_IsAnInputErrorNamingTheFlag()
    {
        string model = _data.PathOf("nokey");
        string variable = "PAFT_EMBED_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        CliRunner.Result train = CliRunner.Run(Train(model, "--embedding-endpoint", "http://127.0.0.1:1/v1", "--embedding-model", "m",
            "--embedding-api-key-env", variable));

        Assert.Equal(2, train.ExitCode);
        Assert.Contains($"error: --embedding-api-key-env: The API-key environment variable '{variable}' is not set", train.Error);
        Assert.False(Directory.Exists(model));
    }

    /// <summary>The embedding options' mistakes, caught before any file is read: exit 2, the message naming the flags.</summary>
    [Theory]
    [InlineData("--embedding-endpoint (config key 'embeddingEndpoint') applies to --zopo only",
        "--embedding-endpoint", "http://127.0.0.1:9/v1", "--embedding-model", "m")]
    [InlineData("--embedding-model (config key 'embeddingModel') applies to --zopo only", "--top-accuracy", "--validation", "v.jsonl", "--embedding-model", "m")]
    [InlineData("--embedding-model (config key 'embeddingModel') needs --embedding-endpoint URL", "--zopo", "--validation", "v.jsonl", "--embedding-model", "m")]
    [InlineData("--embedding-api-key-env (config key 'embeddingApiKeyEnv') needs --embedding-endpoint URL",
        "--zopo", "--validation", "v.jsonl", "--embedding-api-key-env", "K")]
    [InlineData("Give --embedding-model: the model the --embedding-endpoint serves", "--zopo", "--validation", "v.jsonl", "--embedding-endpoint", "http://127.0.0.1:9/v1")]
    [InlineData("--embedding-endpoint 'ftp://x/v1' is not an http(s) URL", "--zopo", "--validation", "v.jsonl", "--embedding-endpoint", "ftp://x/v1",
        "--embedding-model", "m")]
    [InlineData("--embedding-endpoint 'embed.local' is not an absolute URL", "--zopo", "--validation", "v.jsonl", "--embedding-endpoint", "embed.local",
        "--embedding-model", "m")]
    [InlineData("--embedding-endpoint was given 2 times: paft train --zopo uses one embedding model", "--zopo", "--validation", "v.jsonl",
        "--embedding-endpoint", "http://127.0.0.1:9/v1", "--embedding-endpoint", "http://127.0.0.1:8/v1", "--embedding-model", "m")]
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
    public void AnUnknownKindInTheConfigFile_ExitsTwo_NamingTheFlag()
    {
        string config = _data.PathOf("embed.json");
        File.WriteAllText(config, """{ "zopo": true, "validation": "v.jsonl", "embeddingEndpoint": "http://127.0.0.1:9/v1", "embeddingModel": "m", "embeddingKind": "tei" }""");
        CliRunner.Result train = CliRunner.Run("train", "--config", config, "--model", "base", "--task", "piqa", "--data", "d.jsonl", "--prompts", "p.jsonl",
            "--out", _data.PathOf("never"));
        Assert.Equal(2, train.ExitCode);
        Assert.Contains("--embedding-kind 'tei' is not one of openai, ollama", train.Error);
    }

    [Fact]
    public void PrintConfig_ShowsTheEmbeddingSettingsInCamelCase()
    {
        CliRunner.Result print = CliRunner.Run("train", "--zopo", "--validation", "v.jsonl", "--embedding-endpoint", "http://127.0.0.1:11434",
            "--embedding-model", "nomic-embed-text", "--embedding-kind", "ollama", "--embedding-api-key-env", "MY_KEY", "--print-config");
        Assert.Equal(0, print.ExitCode);
        JsonElement config = JsonDocument.Parse(print.Output).RootElement;
        Assert.Equal(("http://127.0.0.1:11434", "nomic-embed-text", "ollama", "MY_KEY"), (config.GetProperty("embeddingEndpoint").GetString(),
            config.GetProperty("embeddingModel").GetString(), config.GetProperty("embeddingKind").GetString(), config.GetProperty("embeddingApiKeyEnv").GetString()));
    }
}
