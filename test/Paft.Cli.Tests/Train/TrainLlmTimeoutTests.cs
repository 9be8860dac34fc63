using System.Diagnostics;
using System.Globalization;
using Paft.Cli.Terminal;
using Paft.Cli.Tests.Prompts;
using Paft.MLNet.Tests.PromptGeneration;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary>
/// Issue 13: <c>--timeout</c> (config key <c>timeout</c>) bounds the requests of <c>paft train --batprompt --endpoint</c> and
/// <c>--zopo --embedding-endpoint</c> as it does <c>prompts generate</c>'s, a timed-out request is one line and exit 2 (it was
/// reported as "Interrupted."), and Ctrl+C during a request ends the run at once with a message saying nothing was trained.
/// </summary>
public sealed class TrainLlmTimeoutTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>A server that answers nothing until the test ends: without a working timeout the run would wait two minutes a request.</summary>
    private static LoopbackLlmServer Silent(CancellationToken release) => LoopbackLlmServer.Start(async (request, _) =>
    {
        await Task.Delay(Timeout.Infinite, release).ContinueWith(_ => { }, TaskScheduler.Default);
        return ScriptedResponse.Error(500);
    });

    private string[] Zopo(string model, params string[] extra) =>
    [
        "train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa, "--prompts", _data.WritePool(), "--limit", "2",
        "--batch-size", "2", "--epochs", "1", "--zopo", "--zopo-budget", "2", "--validation", _data.WriteValidation(6), "--out", model, .. extra,
    ];

    private static string[] ErrorLines(CliRunner.Result result) =>
        result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();

    [SharedFact]
    public async Task ASilentEmbeddingModel_TimesOutAfterTheConfigFilesTimeout_InOneLine_ExitTwo()
    {
        using var release = new CancellationTokenSource();
        await using var server = Silent(release.Token);
        string model = _data.PathOf("zopo-timeout");
        string config = _data.PathOf("timeout.json");
        File.WriteAllText(config, """{ "timeout": 1 }""");

        CliRunner.Result train = await Task.Run(() => CliRunner.Run(Zopo(model, "--config", config,
            "--embedding-endpoint", server.OpenAIEndpoint.ToString(), "--embedding-model", "slow")));
        release.Cancel();

        Assert.Equal(CommandExit.BadInput, train.ExitCode);
        string error = Assert.Single(ErrorLines(train));
        Assert.StartsWith($"error: --embedding-endpoint: The embedding model openai:slow@{server.BaseUri.Authority} could not embed 3 templates", error);
        // OpenAI's SDK retries an embedding request itself (4 tries); each try waited the 1 s of the config file.
        Assert.Contains($"The embedding model at {server.BaseUri.GetLeftPart(UriPartial.Authority)} did not answer within 1 s (the request timeout) " +
            $"in any of {server.RequestCount} tries.", error);
        Assert.EndsWith("Nothing was trained.", error);
        Assert.DoesNotContain("Interrupted", train.Error);
        Assert.DoesNotContain("   at ", train.Error);
        Assert.Equal(4, server.RequestCount);
        Assert.False(Directory.Exists(model));
    }

    [SharedFact]
    public async Task ASilentLlm_ForTheRewrites_TimesOutAfterTimeout_InOneLine_ExitTwo()
    {
        using var release = new CancellationTokenSource();
        await using var server = Silent(release.Token);
        string model = _data.PathOf("rewrite-timeout");

        CliRunner.Result train = await Task.Run(() => CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa",
            "--data", WorkflowTestData.Piqa, "--prompts", _data.WritePool(), "--limit", "2", "--batch-size", "2", "--epochs", "1", "--batprompt",
            "--validation", _data.WriteValidation(2), "--out", model, "--endpoint", server.OpenAIEndpoint.ToString(), "--llm-model", "slow",
            "--batprompt-rewrite", "paraphrase", "--timeout", "1"));
        release.Cancel();

        Assert.Equal(CommandExit.BadInput, train.ExitCode);
        string error = Assert.Single(ErrorLines(train));
        Assert.Equal($"error: --batprompt-rewrite: the LLM at --endpoint {server.OpenAIEndpoint} could not rewrite the validation inputs " +
            $"(The LLM at {server.BaseUri.GetLeftPart(UriPartial.Authority)} did not answer within 1 s (the request timeout).); nothing was trained.", error);
        Assert.DoesNotContain("Interrupted", train.Error);
        Assert.Equal(1, server.RequestCount);
        Assert.False(Directory.Exists(model));
    }

    [Theory]
    [InlineData("error: --timeout must be a positive number of seconds (got 0).", "--zopo", "--embedding-endpoint", "http://127.0.0.1:9/v1",
        "--embedding-model", "m", "--timeout", "0")]
    [InlineData("error: --timeout must be a positive number of seconds (got -3).", "--batprompt", "--endpoint", "http://127.0.0.1:9/v1",
        "--llm-model", "m", "--timeout", "-3")]
    [InlineData("error: --timeout (config key 'timeout') needs --endpoint or --embedding-endpoint URL: the server whose replies it bounds.",
        "--batprompt", "--timeout", "5")]
    public void TimeoutMistakes_ExitTwo_InOneLine(string expected, params string[] options)
    {
        string model = _data.PathOf("never");
        CliRunner.Result train = CliRunner.Run(["train", "--model", "base", "--task", "piqa", "--data", "d.jsonl", "--prompts", "p.jsonl",
            "--validation", "v.jsonl", "--out", model, .. options]);
        Assert.Equal(CommandExit.BadInput, train.ExitCode);
        Assert.Equal(expected, train.Error.Trim());
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public void PrintConfig_ShowsTheTimeout_DefaultOrGiven_OnlyWithAnEndpoint()
    {
        string[] common = ["train", "--model", "base", "--task", "piqa", "--data", "d.jsonl", "--prompts", "p.jsonl", "--validation", "v.jsonl", "--out", "o"];
        CliRunner.Result zopo = CliRunner.Run([.. common, "--zopo", "--embedding-endpoint", "http://127.0.0.1:9/v1", "--embedding-model", "m", "--print-config"]);
        Assert.Contains("\"timeout\": 120,", zopo.Output);
        CliRunner.Result given = CliRunner.Run([.. common, "--batprompt", "--endpoint", "http://127.0.0.1:9/v1", "--llm-model", "m", "--timeout", "7.5",
            "--print-config"]);
        Assert.Contains("\"timeout\": 7.5,", given.Output);
        CliRunner.Result offline = CliRunner.Run([.. common, "--batprompt", "--print-config"]);
        Assert.Equal(0, offline.ExitCode);
        Assert.Contains("\"timeout\": null,", offline.Output);
    }

    [SharedFact]
    public async Task CtrlC_DuringAnEmbeddingRequest_OfARealPaftProcess_EndsAtOnceWithAMessage_AndTrainsNothing()
    {
        if (!OperatingSystem.IsLinux())
            return; // SIGINT is sent with kill(1)
        using var release = new CancellationTokenSource();
        await using var server = Silent(release.Token);
        string model = _data.PathOf("zopo-ctrl-c");
        // The default timeout (120 s) is left: the run must end because of Ctrl+C, not because the request gave up.
        using Process paft = PaftProcess.Start(Zopo(model, "--embedding-endpoint", server.OpenAIEndpoint.ToString(), "--embedding-model", "slow"));
        Task<string> error = paft.StandardError.ReadToEndAsync();
        for (int waited = 0; server.RequestCount == 0 && waited < 120_000 && !paft.HasExited; waited += 20)
            await Task.Delay(20);
        Assert.Equal(1, server.RequestCount);
        using (var kill = Process.Start("kill", ["-INT", paft.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        bool exited = paft.WaitForExit(60_000);
        release.Cancel();
        if (!exited)
            paft.Kill();
        Assert.True(exited, "paft did not stop on Ctrl+C during the request");
        string said = await error;
        Assert.Equal(CommandExit.Interrupted, paft.ExitCode);
        Assert.Contains("Interrupted while --zopo searched the templates (an embedding request in flight is cancelled); nothing was trained.", said);
        Assert.DoesNotContain("   at ", said);
        Assert.Equal(1, server.RequestCount);
        Assert.False(Directory.Exists(model));
    }
}
