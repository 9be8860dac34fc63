using System.Text.Json;
using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.PromptGeneration;

/// <summary>The generator end to end, against a real HTTP server on loopback speaking both protocols.</summary>
public sealed class LlmTemplateGeneratorTests
{
    private const string GoodA = "Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:";
    private const string GoodB = "Which solution reaches the goal \"{goal}\"? A) {sol1} B) {sol2} Answer:";
    private const string GoodC = "{goal}\nOption A: {sol1}\nOption B: {sol2}\nPick A or B. Answer:";
    private const string MissingSol2 = "Goal: {goal}\nA. {sol1}\nAnswer:";

    private static readonly TaskDefinition Task = TaskDefinition.Piqa;

    private static LlmClient Client(LoopbackLlmServer server, LlmClientKind kind, string? apiKey = "test-key", string? name = null) =>
        LlmClientFactory.Create(new LlmClientSettings
        {
            Kind = kind,
            Endpoint = kind == LlmClientKind.OpenAI ? server.OpenAIEndpoint : server.BaseUri,
            Model = "test-model",
            ApiKey = apiKey,
            Name = name,
            RequestTimeout = TimeSpan.FromSeconds(30),
        });

    private static LlmTemplateGeneratorOptions FastOptions(int requests = 1) => new()
    {
        RequestsPerClient = requests,
        TemplatesPerRequest = 3,
        InitialRetryDelay = TimeSpan.FromMilliseconds(8),
        MaxRetryDelay = TimeSpan.FromMilliseconds(64),
        MaxRetries = 3,
    };

    /// <summary>A generator whose waits are recorded instead of slept, so retry tests take no time.</summary>
    private static (LlmTemplateGenerator Generator, List<TimeSpan> Delays) Generator(IReadOnlyList<LlmClient> clients, LlmTemplateGeneratorOptions options)
    {
        var delays = new List<TimeSpan>();
        var generator = new LlmTemplateGenerator(clients, options)
        {
            Delay = (delay, _) =>
            {
                lock (delays)
                    delays.Add(delay);
                return System.Threading.Tasks.Task.CompletedTask;
            },
        };
        return (generator, delays);
    }

    private static string JsonArray(params string[] templates) => JsonSerializer.Serialize(templates);

    [Theory]
    [InlineData(LlmClientKind.OpenAI, "/v1/chat/completions")]
    [InlineData(LlmClientKind.Ollama, "/api/chat")]
    public async Task Accepts_valid_templates_rejects_invalid_ones_and_sums_tokens(LlmClientKind kind, string expectedPath)
    {
        await using var server = LoopbackLlmServer.Start((request, n) =>
            ScriptedResponse.Chat(request, JsonArray(GoodA, MissingSol2, GoodB), promptTokens: 100 + n, completionTokens: 10 * n));
        using LlmClient client = Client(server, kind);
        (LlmTemplateGenerator generator, _) = Generator([client], FastOptions(requests: 2));

        LlmGenerationResult result = await generator.GenerateAsync(Task);

        Assert.Equal(2, server.RequestCount);
        Assert.All(server.Requests, r => Assert.Equal(("POST", expectedPath), (r.Method, r.Path)));
        RecordedRequest first = server.Requests[0];
        Assert.Equal("test-model", first.Json.GetProperty("model").GetString());
        if (kind == LlmClientKind.Ollama)
            Assert.False(first.Json.GetProperty("stream").GetBoolean());
        // The meta-prompt names every placeholder of the task.
        string prompt = first.Json.GetProperty("messages")[0].GetProperty("content").GetString()!;
        Assert.All(Task.Fields, f => Assert.Contains("{" + f + "}", prompt));

        // Request 0 contributes A and B; request 1 repeats them and they are duplicates.
        Assert.Equal([GoodA, GoodB], result.Accepted.Select(t => t.Text));
        Assert.All(result.Accepted, t => Assert.Equal((client.Name, 0), (t.ClientName, t.RequestIndex)));
        RejectedCandidate[] invalid = result.Rejected.Where(r => r.Reason.Contains("missing placeholder {sol2}")).ToArray();
        Assert.Equal(2, invalid.Length);
        Assert.All(invalid, r => Assert.Equal(MissingSol2, r.Text));
        Assert.Equal(2, result.Rejected.Count(r => r.Reason.StartsWith("duplicate of a template from " + client.Name + " request 0")));

        LlmTokenUsage usage = result.UsageByClient[client.Name];
        Assert.Equal(new LlmTokenUsage(101 + 102, 10 + 20, HttpCalls: 2, CacheHits: 0), usage);
        Assert.Equal(2, result.HttpCalls);
        Assert.Empty(result.Failures);
    }

    [Fact]
    public async Task Reads_an_ollama_reply_streamed_as_ndjson()
    {
        // OllamaSharp asks for "stream": false, but a server (or proxy) may stream anyway.
        string reply = JsonArray(GoodA, GoodC);
        await using var server = LoopbackLlmServer.Start((_, _) =>
            ScriptedResponse.OllamaStream([reply[..10], reply[10..25], reply[25..]], promptTokens: 40, completionTokens: 9));
        using LlmClient client = Client(server, LlmClientKind.Ollama);
        (LlmTemplateGenerator generator, _) = Generator([client], FastOptions());

        LlmGenerationResult result = await generator.GenerateAsync(Task);

        Assert.Equal([GoodA, GoodC], result.Accepted.Select(t => t.Text));
        Assert.Equal(new LlmTokenUsage(40, 9, HttpCalls: 1, CacheHits: 0), result.UsageByClient[client.Name]);
    }

    [Fact]
    public async Task Deduplicates_across_two_clients_ignoring_case_and_whitespace()
    {
        string goodBShouted = "WHICH solution reaches the goal \"{goal}\"?\n  A) {sol1}   B) {sol2} answer:";
        await using var server = LoopbackLlmServer.Start((request, _) => request.Path == "/api/chat"
            ? ScriptedResponse.Chat(request, "1. " + goodBShouted.Replace("\n", "\\n") + "\n2. " + GoodC.Replace("\n", "\\n"))
            : ScriptedResponse.Chat(request, JsonArray(GoodA, GoodB)));
        using LlmClient openAI = Client(server, LlmClientKind.OpenAI, name: "gpt");
        using LlmClient ollama = Client(server, LlmClientKind.Ollama, name: "llama");
        (LlmTemplateGenerator generator, _) = Generator([openAI, ollama], FastOptions());

        LlmGenerationResult result = await generator.GenerateAsync(Task);

        Assert.Equal([(GoodA, "gpt"), (GoodB, "gpt"), (GoodC, "llama")], result.Accepted.Select(t => (t.Text, t.ClientName)));
        RejectedCandidate duplicate = Assert.Single(result.Rejected);
        Assert.Equal(("llama", goodBShouted, "duplicate of a template from gpt request 0"), (duplicate.ClientName, duplicate.Text, duplicate.Reason));
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(1, result.UsageByClient["gpt"].HttpCalls);
        Assert.Equal(1, result.UsageByClient["llama"].HttpCalls);
    }

    [Theory]
    [InlineData(LlmClientKind.OpenAI)]
    [InlineData(LlmClientKind.Ollama)]
    public async Task Retries_429_and_5xx_then_succeeds_honouring_Retry_After(LlmClientKind kind)
    {
        // Call 1: 429 asking for 7 s; call 2: 503 without Retry-After (backoff); call 3: success.
        await using var server = LoopbackLlmServer.Start((request, n) => n switch
        {
            1 => ScriptedResponse.Error(429, retryAfter: "7"),
            2 => ScriptedResponse.Error(503),
            _ => ScriptedResponse.Chat(request, JsonArray(GoodA)),
        });
        using LlmClient client = Client(server, kind);
        LlmTemplateGeneratorOptions options = FastOptions();
        (LlmTemplateGenerator generator, List<TimeSpan> delays) = Generator([client], options);

        LlmGenerationResult result = await generator.GenerateAsync(Task);

        Assert.Equal(3, server.RequestCount);
        Assert.Equal(3, result.UsageByClient[client.Name].HttpCalls);
        Assert.Equal([GoodA], result.Accepted.Select(t => t.Text));
        Assert.Empty(result.Failures);
        Assert.Equal(2, delays.Count);
        Assert.Equal(TimeSpan.FromSeconds(7), delays[0]);
        // Second retry: initial * 2^1 scaled by a jitter factor in [0.5, 1).
        Assert.InRange(delays[1].TotalMilliseconds, 8.0, 16.0 - 1e-9);
    }

    [Theory]
    [InlineData(LlmClientKind.OpenAI)]
    [InlineData(LlmClientKind.Ollama)]
    public async Task Retries_after_a_dropped_connection_and_after_a_timeout(LlmClientKind kind)
    {
        var never = new TaskCompletionSource<ScriptedResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackLlmServer.Start((request, n) => n switch
        {
            1 => System.Threading.Tasks.Task.FromResult(ScriptedResponse.ResetConnection),
            // Never answered in time: the client's request timeout fires and the request is retried.
            2 => never.Task.WaitAsync(TimeSpan.FromSeconds(20)),
            _ => System.Threading.Tasks.Task.FromResult(ScriptedResponse.Chat(request, JsonArray(GoodA))),
        });
        using LlmClient client = LlmClientFactory.Create(new LlmClientSettings
        {
            Kind = kind,
            Endpoint = kind == LlmClientKind.OpenAI ? server.OpenAIEndpoint : server.BaseUri,
            Model = "test-model",
            RequestTimeout = TimeSpan.FromSeconds(2),
        });
        (LlmTemplateGenerator generator, List<TimeSpan> delays) = Generator([client], FastOptions());

        try
        {
            LlmGenerationResult result = await generator.GenerateAsync(Task);

            Assert.Empty(result.Failures);
            Assert.Equal(3, server.RequestCount);
            Assert.Equal(2, delays.Count);
            Assert.Equal([GoodA], result.Accepted.Select(t => t.Text));
        }
        finally
        {
            never.TrySetResult(ScriptedResponse.Error(500));
        }
    }

    [Fact]
    public async Task Gives_up_after_the_retry_budget_and_records_the_failure()
    {
        await using var server = LoopbackLlmServer.Start((_, _) => ScriptedResponse.Error(500));
        using LlmClient client = Client(server, LlmClientKind.OpenAI);
        (LlmTemplateGenerator generator, List<TimeSpan> delays) = Generator([client], FastOptions());

        LlmGenerationResult result = await generator.GenerateAsync(Task);

        Assert.Equal(1 + 3, server.RequestCount);
        Assert.Equal(3, delays.Count);
        LlmRequestFailure failure = Assert.Single(result.Failures);
        Assert.Equal((client.Name, 0), (failure.ClientName, failure.RequestIndex));
        Assert.Contains("500", failure.Message);
        Assert.Empty(result.Accepted);
    }

    [Theory]
    [InlineData(LlmClientKind.OpenAI)]
    [InlineData(LlmClientKind.Ollama)]
    public async Task Does_not_retry_a_client_error(LlmClientKind kind)
    {
        await using var server = LoopbackLlmServer.Start((_, _) => ScriptedResponse.Error(401));
        using LlmClient client = Client(server, kind);
        (LlmTemplateGenerator generator, List<TimeSpan> delays) = Generator([client], FastOptions());

        LlmGenerationResult result = await generator.GenerateAsync(Task);

        Assert.Equal(1, server.RequestCount);
        Assert.Empty(delays);
        Assert.Contains("401", Assert.Single(result.Failures).Message);
    }

    [Fact]
    public async Task Rejects_malformed_replies_with_their_reason()
    {
        await using var server = LoopbackLlmServer.Start((request, n) => ScriptedResponse.Chat(request, n switch
        {
            1 => "I am sorry, I cannot write templates today.",
            2 => "[\"Goal: {goal} A. {sol1} B. {sol2} Answer:\", \"unterminated",
            _ => "",
        }));
        using LlmClient client = Client(server, LlmClientKind.OpenAI);
        // One request at a time, so request i gets server call i + 1.
        LlmTemplateGeneratorOptions options = FastOptions(requests: 3);
        options.MaxConcurrency = 1;
        (LlmTemplateGenerator generator, _) = Generator([client], options);

        LlmGenerationResult result = await generator.GenerateAsync(Task);

        Assert.Empty(result.Accepted);
        Assert.Equal(3, result.Rejected.Count);
        Assert.All(result.Rejected, r => Assert.True(r.WholeReply));
        Assert.Equal(3, result.Rejected.Select(r => r.RequestIndex).Distinct().Count());
        Assert.Single(result.Rejected, r => r.Reason.StartsWith("no templates found", StringComparison.Ordinal) && r.Text.StartsWith("I am sorry", StringComparison.Ordinal));
        Assert.Single(result.Rejected, r => r.Reason.StartsWith("unparseable JSON", StringComparison.Ordinal));
        Assert.Single(result.Rejected, r => r.Reason == "the reply is empty");
    }

    [Theory]
    [InlineData(LlmClientKind.OpenAI)]
    [InlineData(LlmClientKind.Ollama)]
    public async Task A_rerun_with_the_same_settings_is_served_from_the_cache(LlmClientKind kind)
    {
        using var cacheDir = new TempDirectory();
        await using var server = LoopbackLlmServer.Start((request, n) => ScriptedResponse.Chat(request, n == 1 ? JsonArray(GoodA, GoodB) : JsonArray(GoodC)));
        using LlmClient client = Client(server, kind);
        LlmTemplateGeneratorOptions options = FastOptions(requests: 2);
        options.MaxConcurrency = 1;
        options.CacheDirectory = cacheDir.Path;

        LlmGenerationResult first = await Generator([client], options).Generator.GenerateAsync(Task);
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(2, Directory.GetFiles(cacheDir.Path).Length);

        LlmGenerationResult second = await Generator([client], options).Generator.GenerateAsync(Task);
        Assert.Equal(2, server.RequestCount);   // no new call
        Assert.Equal(first.Accepted, second.Accepted);
        Assert.Equal(new LlmTokenUsage(0, 0, HttpCalls: 0, CacheHits: 2), second.UsageByClient[client.Name]);

        // Another sampling temperature is another request: the cache must not answer it.
        options.Temperature = 0.3f;
        LlmGenerationResult third = await Generator([client], options).Generator.GenerateAsync(Task);
        Assert.Equal(4, server.RequestCount);
        Assert.Equal(0, third.CacheHits);
        Assert.Empty(Directory.GetFiles(cacheDir.Path, "*.tmp"));
    }

    [Theory]
    [InlineData(LlmClientKind.OpenAI)]
    [InlineData(LlmClientKind.Ollama)]
    public async Task The_api_key_reaches_the_server_but_no_log_line_file_or_result(LlmClientKind kind)
    {
        string secret = "sk-paft-" + Guid.NewGuid().ToString("N");
        string variable = "PAFT_TEST_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            using var cacheDir = new TempDirectory();
            // Call 1 is throttled, call 2 fails with an error body that echoes the credentials back
            // (as careless proxies do), calls 3 and 4 succeed.
            await using var server = LoopbackLlmServer.Start((request, n) => n switch
            {
                1 => ScriptedResponse.Error(429, retryAfter: "0"),
                2 => ScriptedResponse.Error(401, body: JsonSerializer.Serialize(new { error = new { message = "bad key " + request.Headers.GetValueOrDefault("Authorization") } })),
                _ => ScriptedResponse.Chat(request, JsonArray(GoodA, "{goal} " + request.Headers.GetValueOrDefault("Authorization") + " {sol1}")),
            });
            using LlmClient client = LlmClientFactory.Create(new LlmClientSettings
            {
                Kind = kind,
                Endpoint = kind == LlmClientKind.OpenAI ? server.OpenAIEndpoint : server.BaseUri,
                Model = "test-model",
                ApiKeyEnvironmentVariable = variable,
            });
            var logger = new CapturingLogger();
            LlmTemplateGeneratorOptions options = FastOptions(requests: 3);
            options.MaxConcurrency = 1;
            options.CacheDirectory = cacheDir.Path;
            options.Logger = logger;
            (LlmTemplateGenerator generator, _) = Generator([client], options);

            LlmGenerationResult result = await generator.GenerateAsync(Task);

            Assert.Equal(4, server.RequestCount);
            Assert.All(server.Requests, r => Assert.Equal("Bearer " + secret, r.Headers["Authorization"]));
            Assert.NotEmpty(logger.Lines);
            Assert.Contains(logger.Lines, l => l.Contains("429"));
            Assert.Contains(logger.Lines, l => l.Contains("401"));
            Assert.All(logger.Lines, l => Assert.DoesNotContain(secret, l));
            string[] files = Directory.GetFiles(cacheDir.Path, "*", SearchOption.AllDirectories);
            Assert.NotEmpty(files);
            Assert.All(files, f => Assert.DoesNotContain(secret, File.ReadAllText(f)));
            Assert.All(result.Failures, f => Assert.DoesNotContain(secret, f.Message));
            Assert.All(result.Rejected, r => Assert.DoesNotContain(secret, r.Text + r.Reason));
            Assert.All(result.Accepted, a => Assert.DoesNotContain(secret, a.Text));
            LlmRequestFailure failure = Assert.Single(result.Failures);
            Assert.Contains("401", failure.Message);
            // OpenAI's SDK keeps the error body in its message (OllamaSharp drops it): the body is kept, the key masked.
            if (kind == LlmClientKind.OpenAI)
                Assert.Contains("bad key Bearer ***", failure.Message);
            Assert.Equal(2, result.Rejected.Count(r => r.Text == "{goal} Bearer *** {sol1}"));   // one per successful reply
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Limits_requests_in_flight_across_clients()
    {
        await using var server = LoopbackLlmServer.Start(async (request, _) =>
        {
            await System.Threading.Tasks.Task.Delay(30);   // long enough for overlapping requests to meet here
            return ScriptedResponse.Chat(request, JsonArray(GoodA));
        });
        using LlmClient a = Client(server, LlmClientKind.OpenAI, name: "a");
        using LlmClient b = Client(server, LlmClientKind.Ollama, name: "b");
        LlmTemplateGeneratorOptions options = FastOptions(requests: 3);
        options.MaxConcurrency = 1;
        var progress = new RecordingProgress<LlmGenerationProgress>();

        LlmGenerationResult result = await Generator([a, b], options).Generator.GenerateAsync(Task, progress);

        Assert.Equal(6, server.RequestCount);
        Assert.Equal(1, server.MaxInFlight);
        Assert.Equal(Enumerable.Range(1, 6), progress.Reports.Select(p => p.CompletedRequests));
        Assert.All(progress.Reports, p => Assert.Equal(6, p.TotalRequests));
        Assert.Equal(3, progress.Reports.Count(p => p.ClientName == "a"));
        Assert.Single(result.Accepted);
    }

    [Fact]
    public async Task Cancellation_stops_a_request_in_flight()
    {
        var requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackLlmServer.Start(async (request, _) =>
        {
            requestArrived.TrySetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10));   // bounded, so the server always stops
            return ScriptedResponse.Chat(request, JsonArray(GoodA));
        });
        using LlmClient client = Client(server, LlmClientKind.OpenAI);
        using var cts = new CancellationTokenSource();

        Task<LlmGenerationResult> run = Generator([client], FastOptions()).Generator.GenerateAsync(Task, cancellationToken: cts.Token);
        await requestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        release.TrySetResult();
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public void Rejects_clients_with_the_same_name()
    {
        using var one = new LlmClient(new NoCallChatClient(), "same", "custom", null, "m");
        using var two = new LlmClient(new NoCallChatClient(), "same", "custom", null, "m");
        var e = Assert.Throws<ArgumentException>(() => new LlmTemplateGenerator([one, two]));
        Assert.Contains("'same'", e.Message);
    }

    [Fact]
    public async Task Masks_the_key_of_a_caller_supplied_client_in_its_errors()
    {
        const string key = "caller-key-123456";
        using var client = new LlmClient(new ThrowingChatClient(new InvalidOperationException("rejected credential " + key)), "mine", "custom", null, "m", apiKey: key);
        var logger = new CapturingLogger();

        LlmGenerationResult result = await new LlmTemplateGenerator([client], new LlmTemplateGeneratorOptions { RequestsPerClient = 1, Logger = logger }).GenerateAsync(Task);

        Assert.Equal("InvalidOperationException: rejected credential ***", Assert.Single(result.Failures).Message);
        Assert.Equal(1, result.HttpCalls);   // not transient: no retry
        Assert.Contains(logger.Lines, l => l.Contains("rejected credential ***"));
        Assert.All(logger.Lines, l => Assert.DoesNotContain(key, l));
    }

    /// <summary>A chat client that fails every call with the given exception.</summary>
    private sealed class ThrowingChatClient(Exception exception) : Microsoft.Extensions.AI.IChatClient
    {
        public Task<Microsoft.Extensions.AI.ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
            Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) => throw exception;
        public IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
            Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) => throw exception;
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    /// <summary>A chat client that must never be called.</summary>
    private sealed class NoCallChatClient : Microsoft.Extensions.AI.IChatClient
    {
        public Task<Microsoft.Extensions.AI.ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
            Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new InvalidOperationException("not to be called");
        public IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages,
            Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new InvalidOperationException("not to be called");
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }
}
