namespace Paft.MLNet.Connectors;

/// <summary>
/// Where and how to reach one LLM that writes prompt templates. The API key is taken from
/// <see cref="ApiKey"/> or, when that is empty, from the environment variable named by
/// <see cref="ApiKeyEnvironmentVariable"/>; it is never logged, cached or written anywhere.
/// </summary>
public sealed class LlmClientSettings
{
    /// <summary>The protocol the endpoint speaks.</summary>
    public LlmClientKind Kind { get; set; } = LlmClientKind.OpenAI;

    /// <summary>
    /// The base URL. For <see cref="LlmClientKind.OpenAI"/> it includes the version segment, e.g.
    /// <c>https://api.openai.com/v1</c> or <c>http://localhost:8000/v1</c>; for
    /// <see cref="LlmClientKind.Ollama"/> it is the server root, e.g. <c>http://localhost:11434</c>.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The model name the endpoint serves, e.g. <c>gpt-4o-mini</c> or <c>llama3.1:8b</c>.</summary>
    public string Model { get; set; } = "";

    /// <summary>The API key itself. Prefer <see cref="ApiKeyEnvironmentVariable"/> so the key stays out of scripts.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The name of an environment variable holding the API key, e.g. <c>OPENAI_API_KEY</c>.</summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    /// <summary>A name for this client in results and logs; defaults to <c>kind:model@host:port</c>.</summary>
    public string? Name { get; set; }

    /// <summary>How long one HTTP request may take before it is abandoned (and retried).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
