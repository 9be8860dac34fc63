using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Selection;

namespace Paft.MLNet.Connectors;

/// <summary>
/// Creates <see cref="LlmClient"/>s (chat) and <see cref="EmbeddingModelTemplateEmbedder"/>s (embeddings) for
/// OpenAI-compatible and Ollama endpoints, with the API key from the settings or the environment.
/// </summary>
public static class LlmClientFactory
{
    // OpenAI's SDK refuses an empty credential; local OpenAI-compatible servers usually ignore the header.
    private const string PlaceholderKey = "no-key";

    /// <summary>Creates a client from <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">The endpoint or model is missing or the endpoint is not an http(s) URL.</exception>
    /// <exception cref="InvalidOperationException">The named API-key environment variable is not set.</exception>
    public static LlmClient Create(LlmClientSettings settings)
    {
        (Uri endpoint, string? apiKey, string kind, string name) = Check(settings);
        IChatClient chatClient = settings.Kind switch
        {
            LlmClientKind.OpenAI => CreateOpenAIChatClient(endpoint, settings.Model, apiKey, settings.RequestTimeout),
            LlmClientKind.Ollama => CreateOllamaChatClient(endpoint, settings.Model, apiKey, settings.RequestTimeout),
            _ => throw new ArgumentException($"Unknown LLM client kind '{settings.Kind}'.", nameof(settings)),
        };
        chatClient = RequestTimeoutGuard.Guard(chatClient, endpoint, settings.RequestTimeout);
        return new LlmClient(chatClient, name, kind, endpoint, settings.Model, apiKey, ownsChatClient: true);
    }

    /// <summary>
    /// An embedding generator for the endpoint of <paramref name="settings"/>: OpenAI-compatible <c>POST {endpoint}/embeddings</c>
    /// or Ollama's <c>POST {endpoint}/api/embed</c>; both take a batch of texts per request. Disposing it releases its HTTP client.
    /// </summary>
    /// <exception cref="ArgumentException">The endpoint or model is missing or the endpoint is not an http(s) URL.</exception>
    /// <exception cref="InvalidOperationException">The named API-key environment variable is not set.</exception>
    internal static (IEmbeddingGenerator<string, Embedding<float>> Generator, string Name, string? ApiKey) CreateEmbeddingGenerator(LlmClientSettings settings)
    {
        (Uri endpoint, string? apiKey, _, string name) = Check(settings);
        IEmbeddingGenerator<string, Embedding<float>> generator = settings.Kind switch
        {
            LlmClientKind.OpenAI => CreateOpenAIEmbeddingGenerator(endpoint, settings.Model, apiKey, settings.RequestTimeout),
            LlmClientKind.Ollama => CreateOllamaEmbeddingGenerator(endpoint, settings.Model, apiKey, settings.RequestTimeout),
            _ => throw new ArgumentException($"Unknown LLM client kind '{settings.Kind}'.", nameof(settings)),
        };
        return (RequestTimeoutGuard.Guard(generator, endpoint, settings.RequestTimeout), name, apiKey);
    }

    /// <summary>
    /// A template embedder for the endpoint and model of <paramref name="settings"/>: <see cref="LlmClientKind.OpenAI"/> posts to
    /// <c>{endpoint}/embeddings</c> (the endpoint includes <c>/v1</c>), <see cref="LlmClientKind.Ollama"/> to
    /// <c>{endpoint}/api/embed</c>. The API key comes from the settings or their environment variable, as for
    /// <see cref="Create"/>, and is never part of a message. Disposing the embedder releases the client.
    /// </summary>
    /// <param name="settings">The endpoint, model, protocol and key variable.</param>
    /// <param name="batchSize">Templates per request; default <see cref="EmbeddingModelTemplateEmbedder.DefaultBatchSize"/>.</param>
    /// <exception cref="ArgumentException">The endpoint or model is missing or the endpoint is not an http(s) URL.</exception>
    /// <exception cref="InvalidOperationException">The named API-key environment variable is not set.</exception>
    public static EmbeddingModelTemplateEmbedder CreateTemplateEmbedder(LlmClientSettings settings,
        int batchSize = EmbeddingModelTemplateEmbedder.DefaultBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        (IEmbeddingGenerator<string, Embedding<float>> generator, string name, string? apiKey) = CreateEmbeddingGenerator(settings);
        return new EmbeddingModelTemplateEmbedder(generator, name, batchSize, apiKey, ownsGenerator: true);
    }

    /// <summary>Settings checked once for chat and embedding clients alike: the endpoint, the key, and the client's name.</summary>
    private readonly record struct Checked(Uri Endpoint, string? ApiKey, string Kind, string Name);

    private static Checked Check(LlmClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Uri endpoint = settings.Endpoint
            ?? throw new ArgumentException("LLM client settings need an endpoint URL.", nameof(settings));
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"LLM endpoint '{endpoint.GetLeftPart(UriPartial.Authority)}' is not an absolute http(s) URL.", nameof(settings));
        if (string.IsNullOrWhiteSpace(settings.Model))
            throw new ArgumentException($"LLM client settings for '{endpoint.Authority}' need a model name.", nameof(settings));
        if (settings.RequestTimeout <= TimeSpan.Zero)
            throw new ArgumentException("The request timeout must be positive.", nameof(settings));

        string? apiKey = ResolveApiKey(settings);
        string kind = settings.Kind.ToString().ToLowerInvariant();
        string name = string.IsNullOrWhiteSpace(settings.Name) ? $"{kind}:{settings.Model}@{endpoint.Authority}" : settings.Name;
        return new Checked(endpoint, apiKey, kind, name);
    }

    /// <summary>The key from the settings, else from the named environment variable, else none.</summary>
    internal static string? ResolveApiKey(LlmClientSettings settings)
    {
        if (!string.IsNullOrEmpty(settings.ApiKey))
            return settings.ApiKey;
        if (string.IsNullOrWhiteSpace(settings.ApiKeyEnvironmentVariable))
            return null;
        string? fromEnvironment = Environment.GetEnvironmentVariable(settings.ApiKeyEnvironmentVariable);
        if (string.IsNullOrEmpty(fromEnvironment))
            throw new InvalidOperationException(
                $"The API-key environment variable '{settings.ApiKeyEnvironmentVariable}' is not set or is empty.");
        return fromEnvironment;
    }

    private static IChatClient CreateOpenAIChatClient(Uri endpoint, string model, string? apiKey, TimeSpan timeout)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            // The generator retries with its own policy (seeded jitter, Retry-After, call counting);
            // the SDK's retries would hide calls from it and multiply the attempts.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = timeout,
        };
        var chatClient = new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(apiKey ?? PlaceholderKey), options);
        return new ChoicelessReplyGuard(new OpenAIErrorTranslator(chatClient.AsIChatClient()), endpoint);
    }

    private static IChatClient CreateOllamaChatClient(Uri endpoint, string model, string? apiKey, TimeSpan timeout)
    {
        // OllamaSharp turns an error status into an HttpRequestException without the response headers;
        // this handler keeps Retry-After for the generator's retry policy.
        var httpClient = new HttpClient(new TransientStatusHandler { InnerHandler = new SocketsHttpHandler() }, disposeHandler: true)
        {
            BaseAddress = endpoint,
            Timeout = timeout,
        };
        // Ollama itself needs no key, but servers behind an authenticating proxy do.
        if (apiKey is not null)
            httpClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return new OwningOllamaClient(new OllamaApiClient(httpClient, model), httpClient);
    }

    private static IEmbeddingGenerator<string, Embedding<float>> CreateOpenAIEmbeddingGenerator(Uri endpoint, string model, string? apiKey, TimeSpan timeout)
    {
        // No generator-level retry policy wraps embeddings, so the SDK's own retries (429, 5xx, network errors) stay on.
        var options = new OpenAIClientOptions { Endpoint = endpoint, NetworkTimeout = timeout };
        var embeddingClient = new OpenAI.Embeddings.EmbeddingClient(model, new ApiKeyCredential(apiKey ?? PlaceholderKey), options);
        return embeddingClient.AsIEmbeddingGenerator();
    }

    private static IEmbeddingGenerator<string, Embedding<float>> CreateOllamaEmbeddingGenerator(Uri endpoint, string model, string? apiKey, TimeSpan timeout)
    {
        var httpClient = new HttpClient(new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = endpoint, Timeout = timeout };
        if (apiKey is not null)
            httpClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        // OllamaApiClient is also an IEmbeddingGenerator over /api/embed, which takes a list of inputs per request.
        return new OwningOllamaEmbeddingGenerator(new OllamaApiClient(httpClient, model), httpClient);
    }

    /// <summary>Disposes the HttpClient the factory made for an Ollama embedding generator, which OllamaSharp does not.</summary>
    private sealed class OwningOllamaEmbeddingGenerator(OllamaApiClient inner, HttpClient httpClient)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
                httpClient.Dispose();
        }
    }

    /// <summary>Disposes the HttpClient the factory made for an Ollama client, which OllamaSharp does not.</summary>
    private sealed class OwningOllamaClient(OllamaApiClient inner, HttpClient httpClient) : DelegatingChatClient(inner)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
                httpClient.Dispose();
        }
    }
}
