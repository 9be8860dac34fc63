using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Paft.MLNet.Tests.PromptGeneration;

/// <summary>A request as the loopback server saw it.</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>What the loopback server answers: a status, a body and extra headers.</summary>
internal sealed record ScriptedResponse(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>An OpenAI chat-completions reply.</summary>
    public static ScriptedResponse OpenAIChat(string content, int promptTokens, int completionTokens) => new(200,
        JsonSerializer.Serialize(new
        {
            id = "chatcmpl-test",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "test-model",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
        }));

    /// <summary>An Ollama /api/chat reply to a request with "stream": false: one JSON object on one line.</summary>
    public static ScriptedResponse OllamaChat(string content, int promptTokens, int completionTokens) => new(200,
        JsonSerializer.Serialize(new
        {
            model = "test-model",
            created_at = "2026-01-01T00:00:00Z",
            message = new { role = "assistant", content },
            done = true,
            done_reason = "stop",
            total_duration = 1000,
            prompt_eval_count = promptTokens,
            eval_count = completionTokens,
        }));

    /// <summary>An Ollama /api/chat reply streamed as NDJSON: one line per piece of content, the last with "done": true.</summary>
    public static ScriptedResponse OllamaStream(IReadOnlyList<string> pieces, int promptTokens, int completionTokens) => new(200,
        string.Concat(pieces.Select((piece, i) => JsonSerializer.Serialize(new
        {
            model = "test-model",
            created_at = "2026-01-01T00:00:00Z",
            message = new { role = "assistant", content = piece },
            done = false,
        }) + "\n")) + JsonSerializer.Serialize(new
        {
            model = "test-model",
            created_at = "2026-01-01T00:00:00Z",
            message = new { role = "assistant", content = "" },
            done = true,
            done_reason = "stop",
            prompt_eval_count = promptTokens,
            eval_count = completionTokens,
        }) + "\n");

    /// <summary>A chat reply in whichever protocol <paramref name="request"/> used.</summary>
    public static ScriptedResponse Chat(RecordedRequest request, string content, int promptTokens = 10, int completionTokens = 20) =>
        request.Path == "/api/chat" ? OllamaChat(content, promptTokens, completionTokens) : OpenAIChat(content, promptTokens, completionTokens);

    /// <summary>
    /// An embeddings reply in whichever protocol <paramref name="request"/> used — OpenAI's <c>/v1/embeddings</c> (as floats, or
    /// as base64 little-endian floats when the request asks for <c>"encoding_format": "base64"</c>, as OpenAI's SDK does) or
    /// Ollama's <c>/api/embed</c> — with one vector per input, made by <paramref name="embed"/>.
    /// </summary>
    public static ScriptedResponse Embeddings(RecordedRequest request, Func<string, float[]> embed) =>
        Embeddings(request, EmbeddingInputs(request).Select(embed).ToArray());

    /// <summary>An embeddings reply carrying exactly <paramref name="vectors"/> (which may be wrong on purpose).</summary>
    /// <param name="request">The request answered.</param>
    /// <param name="vectors">One vector per input, in order.</param>
    /// <param name="floatsOnly">Answer floats even when base64 was asked for, as servers that ignore "encoding_format" do.</param>
    public static ScriptedResponse Embeddings(RecordedRequest request, IReadOnlyList<float[]> vectors, bool floatsOnly = false)
    {
        if (request.Path == "/api/embed")
            return new(200, JsonSerializer.Serialize(new { model = "test-embed", embeddings = vectors, total_duration = 1000, prompt_eval_count = 5 }));
        bool base64 = request.Json.TryGetProperty("encoding_format", out JsonElement format) && format.GetString() == "base64" && !floatsOnly;
        return new(200, JsonSerializer.Serialize(new
        {
            @object = "list",
            model = "test-embed",
            data = vectors.Select((v, i) => new
            {
                @object = "embedding",
                index = i,
                // An empty vector stays a JSON array: OpenAI's SDK reads an empty base64 string as malformed, not as no values.
                embedding = base64 && v.Length > 0 ? (object)Convert.ToBase64String(v.SelectMany(BitConverter.GetBytes).ToArray()) : v,
            }),
            usage = new { prompt_tokens = 5, total_tokens = 5 },
        }));
    }

    /// <summary>The texts an OpenAI or Ollama embeddings request asks to embed (its "input": one string or an array).</summary>
    public static IReadOnlyList<string> EmbeddingInputs(RecordedRequest request)
    {
        JsonElement input = request.Json.GetProperty("input");
        return input.ValueKind == JsonValueKind.String ? [input.GetString()!] : input.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    /// <summary>A deterministic vector for a text (FNV-1a of the text seeds the values): what a fake embedding model answers.</summary>
    public static float[] HashVector(string text, int dimension = 8)
    {
        uint hash = 2166136261;
        foreach (char c in text)
            hash = (hash ^ c) * 16777619;
        var random = new Random((int)hash);
        return Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>A response cut off in the middle, as when a proxy or the network drops the connection.</summary>
    public static ScriptedResponse ResetConnection { get; } = new(-1, "");

    /// <summary>An error status, with Retry-After when given.</summary>
    public static ScriptedResponse Error(int status, string? retryAfter = null, string body = "{\"error\":{\"message\":\"scripted failure\"}}") =>
        new(status, body, retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter });
}

/// <summary>
/// A real HTTP server on 127.0.0.1 and an ephemeral port that answers every request (chat, or embeddings through
/// <see cref="ScriptedResponse.Embeddings(RecordedRequest, Func{string, float[]})"/>) with a test's script, records what
/// it received, and stops when disposed. It serves at most <c>maxRequests</c> requests (then 400s) so that a runaway retry loop cannot spin.
/// </summary>
internal sealed class LoopbackLlmServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<RecordedRequest, int, Task<ScriptedResponse>> _script;
    private readonly int _maxRequests;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Task _loop;
    private int _count, _inFlight, _maxInFlight;

    private LoopbackLlmServer(HttpListener listener, Uri baseUri, Func<RecordedRequest, int, Task<ScriptedResponse>> script, int maxRequests)
    {
        _listener = listener;
        BaseUri = baseUri;
        _script = script;
        _maxRequests = maxRequests;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Root URL, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseUri { get; }

    /// <summary>The OpenAI-style base URL, with the version segment.</summary>
    public Uri OpenAIEndpoint => new(BaseUri, "v1");

    public int RequestCount => Volatile.Read(ref _count);
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public bool LimitExceeded => RequestCount > _maxRequests;
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>Starts a server whose script gets each request and its 1-based number.</summary>
    public static LoopbackLlmServer Start(Func<RecordedRequest, int, ScriptedResponse> script, int maxRequests = 50) =>
        Start((request, n) => Task.FromResult(script(request, n)), maxRequests);

    public static LoopbackLlmServer Start(Func<RecordedRequest, int, Task<ScriptedResponse>> script, int maxRequests = 50)
    {
        // HttpListener cannot bind port 0, so borrow a free port from the OS first; retry if another
        // process grabs it in between.
        for (int attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var baseUri = new Uri($"http://127.0.0.1:{port}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(baseUri.AbsoluteUri);
            try
            {
                listener.Start();
                return new LoopbackLlmServer(listener, baseUri, script, maxRequests);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        var handlers = new List<Task>();
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break;   // stopped by DisposeAsync
            }
            handlers.Add(Task.Run(() => HandleAsync(context)));
        }
        await Task.WhenAll(handlers);
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        int inFlight = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, inFlight);
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
                body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            var request = new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body);
            _requests.Enqueue(request);
            int number = Interlocked.Increment(ref _count);

            ScriptedResponse response = number > _maxRequests
                ? ScriptedResponse.Error(400, body: "{\"error\":\"request limit of the test server exceeded\"}")
                : await _script(request, number);

            if (response == ScriptedResponse.ResetConnection)
            {
                // Promise a body, send a few bytes of it and drop the connection: the client sees the
                // response end prematurely, a network error.
                context.Response.StatusCode = 200;
                context.Response.ContentLength64 = 1000;
                await context.Response.OutputStream.WriteAsync("{\"id\""u8.ToArray());
                await context.Response.OutputStream.FlushAsync();
                context.Response.Abort();
                return;
            }
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = "application/json";
            foreach ((string name, string value) in response.Headers ?? new Dictionary<string, string>())
                context.Response.Headers[name] = value;
            byte[] bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The client went away (e.g. a cancelled request) or the server is stopping; nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
