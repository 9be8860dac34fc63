using Microsoft.Extensions.AI;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// An <see cref="IChatClient"/> together with what identifies it: a name for results, and the kind,
/// endpoint and model that key the reply cache. Wrap any chat client with the constructor; Paft.MLNet.Connectors'
/// <c>LlmClientFactory.Create</c> makes one for an OpenAI-compatible or Ollama endpoint.
/// </summary>
public sealed class LlmClient : IDisposable
{
    private readonly bool _ownsChatClient;

    /// <summary>Wraps a chat client made elsewhere.</summary>
    /// <param name="chatClient">The client that answers the meta-prompts.</param>
    /// <param name="name">A unique name for results and logs.</param>
    /// <param name="kind">A label for the protocol or provider (part of the cache key).</param>
    /// <param name="endpoint">The endpoint the client talks to, if any (part of the cache key).</param>
    /// <param name="model">The model name (part of the cache key).</param>
    /// <param name="apiKey">The key <paramref name="chatClient"/> sends, if any; it is used only to mask it in
    /// every log line, message and cached reply.</param>
    /// <param name="ownsChatClient">Whether <see cref="Dispose"/> disposes <paramref name="chatClient"/>; by default the caller keeps it.</param>
    public LlmClient(IChatClient chatClient, string name, string kind, Uri? endpoint, string model, string? apiKey = null,
        bool ownsChatClient = false)
    {
        string? secret = apiKey;
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ChatClient = chatClient;
        Name = name;
        Kind = kind;
        Endpoint = endpoint;
        Model = model ?? "";
        Secret = string.IsNullOrEmpty(secret) ? null : secret;
        _ownsChatClient = ownsChatClient;
    }

    /// <summary>The chat client.</summary>
    public IChatClient ChatClient { get; }

    /// <summary>The name used in results and logs.</summary>
    public string Name { get; }

    /// <summary>The protocol or provider label.</summary>
    public string Kind { get; }

    /// <summary>The endpoint, if known.</summary>
    public Uri? Endpoint { get; }

    /// <summary>The model name.</summary>
    public string Model { get; }

    /// <summary>The API key this client sends, kept only so that it can be redacted from every message.</summary>
    internal string? Secret { get; }

    /// <summary>
    /// <paramref name="text"/> with this client's API key masked (<c>***</c>): for messages that quote what the chat
    /// client's HTTP stack reported.
    /// </summary>
    /// <param name="text">Any text about a request.</param>
    public string Redact(string text) => new SecretRedactor([Secret]).Redact(text);

    /// <summary>Disposes the chat client if this client owns it.</summary>
    public void Dispose()
    {
        if (_ownsChatClient)
            ChatClient.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
