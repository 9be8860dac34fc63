using Paft.Cli.Terminal;
using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Tests.PromptGeneration;
using Paft.Tests.Common;
using Microsoft.Extensions.AI;

namespace Paft.Cli.Tests.Prompts;

/// <summary>Issue 13: a reply with <c>choices: []</c> is named as such (it was "Index was out of range"), and <c>--timeout</c> bounds a request.</summary>
public sealed class LlmRequestErrorTests : IDisposable
{
    private const string NoChoices =
        """{"id":"chatcmpl-test","object":"chat.completion","created":1700000000,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":0,"total_tokens":1}}""";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ReplyWithNoChoices_IsAnErrorThatSaysSo()
    {
        await using var server = LoopbackLlmServer.Start((_, _) => new ScriptedResponse(200, NoChoices));
        using LlmClient client = LlmClientFactory.Create(new LlmClientSettings { Endpoint = server.OpenAIEndpoint, Model = "m" });
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => client.ChatClient.GetResponseAsync("hello"));
        Assert.Equal($"The LLM at {server.BaseUri.GetLeftPart(UriPartial.Authority)} sent a reply without an answer (an empty \"choices\" list).", error.Message);
    }

    [Fact]
    public async Task ReplyWithNoChoices_InPromptsGenerate_IsReportedAsSuch_AndWritesNothing()
    {
        await using var server = LoopbackLlmServer.Start((_, _) => new ScriptedResponse(200, NoChoices));
        string pool = _temp.File("pool.jsonl");
        CliRunner.Result result = await Task.Run(() => CliRunner.Run("prompts", "generate", "--task", "piqa", "--endpoint", server.OpenAIEndpoint.ToString(),
            "--model", "m", "--count", "2", "--out", pool, "--requests", "1", "--no-cache"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("empty \"choices\" list", result.Error + result.Output);
        Assert.DoesNotContain("Index was out of range", result.Error + result.Output);
        Assert.False(File.Exists(pool));
    }

    [Fact]
    public async Task Timeout_EndsARequestTheServerDoesNotAnswer()
    {
        using var release = new CancellationTokenSource();
        await using var server = LoopbackLlmServer.Start(async (_, _) =>
        {
            // Answers only when the test ends: without --timeout the request would wait the default two minutes.
            await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return new ScriptedResponse(200, NoChoices);
        });
        string pool = _temp.File("pool.jsonl");
        CliRunner.Result result = await Task.Run(() => CliRunner.Run("prompts", "generate", "--task", "piqa", "--endpoint", server.OpenAIEndpoint.ToString(),
            "--model", "m", "--count", "2", "--out", pool, "--requests", "1", "--no-cache", "--max-retries", "0", "--timeout", "5"));
        release.Cancel();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no valid template", result.Error);
        // The same words as paft train's timeout (TrainLlmTimeoutTests), not the HTTP stack's "operation was canceled".
        Assert.Contains($"TimeoutException: The LLM at {server.BaseUri.GetLeftPart(UriPartial.Authority)} did not answer within 5 s (the request timeout).",
            result.Output + result.Error);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public void NonPositiveTimeout_IsOneLineExitTwo()
    {
        CliRunner.Result result = CliRunner.Run("prompts", "generate", "--task", "piqa", "--endpoint", "http://127.0.0.1:9/v1",
            "--model", "m", "--count", "2", "--out", _temp.File("pool.jsonl"), "--timeout", "0");
        Assert.Equal(CommandExit.BadInput, result.ExitCode);
        Assert.Equal("error: --timeout must be a positive number of seconds (got 0).", result.Error.Trim());
    }

    [Fact]
    public async Task CtrlC_DuringARequest_OfARealPaftProcess_EndsWithAMessage()
    {
        if (!OperatingSystem.IsLinux())
            return; // SIGINT is sent with kill(1)
        using var release = new CancellationTokenSource();
        int requests = 0;
        await using var server = LoopbackLlmServer.Start(async (_, _) =>
        {
            Interlocked.Increment(ref requests);
            await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return new ScriptedResponse(200, NoChoices);
        });
        var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "paft.dll"), "prompts", "generate", "--task", "piqa", "--endpoint", server.OpenAIEndpoint.ToString(),
                     "--model", "m", "--count", "2", "--out", _temp.File("pool.jsonl"), "--requests", "1", "--no-cache",
                 })
            start.ArgumentList.Add(argument);
        using System.Diagnostics.Process paft = System.Diagnostics.Process.Start(start)!;
        Task<string> output = paft.StandardOutput.ReadToEndAsync();
        Task<string> error = paft.StandardError.ReadToEndAsync();
        for (int waited = 0; Volatile.Read(ref requests) == 0 && waited < 60_000 && !paft.HasExited; waited += 20)
            await Task.Delay(20);
        Assert.Equal(1, Volatile.Read(ref requests));
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", paft.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        bool exited = paft.WaitForExit(60_000);
        release.Cancel();
        if (!exited)
            paft.Kill();
        Assert.True(exited, "paft did not stop on Ctrl+C");
        string said = await error;
        await output;
        Assert.Equal(CommandExit.Interrupted, paft.ExitCode);
        Assert.Contains("Interrupted: cancelling the LLM requests", said);
        Assert.Contains("Interrupted; nothing was written.", said);
        Assert.False(File.Exists(_temp.File("pool.jsonl")));
    }
}
