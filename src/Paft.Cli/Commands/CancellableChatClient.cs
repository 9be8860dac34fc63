using Microsoft.Extensions.AI;

namespace Paft.Cli.Commands;

/// <summary>
/// A chat client whose every request is also cancelled by Ctrl+C: the library's selectors that call the LLM take no
/// token of their own, and a request must not keep <c>paft train</c> waiting for its timeout after the user stopped it.
/// </summary>
internal sealed class CancellableChatClient(IChatClient inner, CancellationToken cancellation) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cancellation);
        return await base.GetResponseAsync(messages, options, linked.Token).ConfigureAwait(false);
    }

    /// <summary>The inner client is the caller's (an <see cref="Paft.MLNet.PromptGeneration.LlmClient"/> disposes it).</summary>
    protected override void Dispose(bool disposing)
    {
    }
}
