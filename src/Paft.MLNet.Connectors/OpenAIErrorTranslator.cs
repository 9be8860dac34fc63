using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.AI;
using Paft.MLNet.PromptGeneration;

namespace Paft.MLNet.Connectors;

/// <summary>
/// Turns the OpenAI SDK's <see cref="ClientResultException"/> into the <see cref="HttpRequestException"/>s Paft.MLNet's
/// retry policy reads (which does not know the SDK): a 429 or 5xx becomes a <see cref="TransientHttpException"/> carrying
/// the server's Retry-After, any other status an <see cref="HttpRequestException"/> with that status. The message is kept.
/// A failure without a response (status 0) is passed on; its inner exception says what the network did.
/// </summary>
internal sealed class OpenAIErrorTranslator(IChatClient inner) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (ClientResultException e) when (e.Status > 0)
        {
            throw Translate(e);
        }
    }

    /// <summary>The exception the retry policy understands for <paramref name="exception"/>.</summary>
    internal static Exception Translate(ClientResultException exception)
    {
        if (exception.Status <= 0)
            return exception;
        var status = (HttpStatusCode)exception.Status;
        return TransientHttpException.IsTransientStatus(exception.Status)
            ? new TransientHttpException(exception.Message, exception, status, ReadRetryAfter(exception))
            : new HttpRequestException(exception.Message, exception, status);
    }

    private static TimeSpan? ReadRetryAfter(ClientResultException exception)
    {
        var response = exception.GetRawResponse();
        if (response is null || !response.Headers.TryGetValue("Retry-After", out string? value) || value is null)
            return null;
        return RetryConditionHeaderValue.TryParse(value, out RetryConditionHeaderValue? header)
            ? TransientHttpException.ParseRetryAfter(header, DateTimeOffset.UtcNow)
            : null;
    }
}
