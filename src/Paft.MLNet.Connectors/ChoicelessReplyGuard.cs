using Microsoft.Extensions.AI;

namespace Paft.MLNet.Connectors;

/// <summary>
/// Turns a reply with an empty <c>choices</c> list, which OpenAI's SDK answers with "Index was out of range" when the
/// reply is read, into an error that says what the server did. Some OpenAI-compatible servers send such a reply when
/// a content filter or an overloaded backend drops the answer.
/// </summary>
internal sealed class ChoicelessReplyGuard(IChatClient inner, Uri endpoint) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException(
                $"The LLM at {endpoint.GetLeftPart(UriPartial.Authority)} sent a reply without an answer (an empty \"choices\" list).", e);
        }
    }
}
