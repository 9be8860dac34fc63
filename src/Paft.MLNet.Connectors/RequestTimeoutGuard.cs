using Microsoft.Extensions.AI;

namespace Paft.MLNet.Connectors;

/// <summary>
/// Names a request timeout for what it is. The HTTP stacks end a request that outlives
/// <see cref="LlmClientSettings.RequestTimeout"/> with a <see cref="TaskCanceledException"/>, which callers cannot tell
/// from their own cancellation (Ctrl+C) and which reads "The operation was canceled"; these wrappers turn a
/// cancellation the caller did not ask for into a <see cref="TimeoutException"/> naming the server and the timeout, and
/// leave the caller's own cancellation as it is (an SDK that retried and timed out every time reports the tries). The retry policy retries a <see cref="TimeoutException"/> as before.
/// </summary>
internal static class RequestTimeoutGuard
{
    /// <summary>The one message of a timed-out request, for chat and embedding servers alike.</summary>
    public static string Message(string what, Uri endpoint, TimeSpan timeout, int tries = 1) =>
        FormattableString.Invariant($"{what} at {endpoint.GetLeftPart(UriPartial.Authority)} did not answer within {timeout.TotalSeconds:0.###} s (the request timeout)") +
        (tries > 1 ? FormattableString.Invariant($" in any of {tries} tries.") : ".");

    /// <summary>
    /// How many timed-out tries <paramref name="e"/> reports: 1 for a cancellation, the count for the SDK's
    /// "Retry failed after N tries" whose tries all timed out, 0 for anything else.
    /// </summary>
    private static int TimedOutTries(Exception e) => e switch
    {
        OperationCanceledException => 1,
        AggregateException { InnerExceptions.Count: > 0 } all when all.InnerExceptions.All(i => i is OperationCanceledException) => all.InnerExceptions.Count,
        _ => 0,
    };

    private static TimeoutException Timeout(string what, Uri endpoint, TimeSpan timeout, Exception e) => new(Message(what, endpoint, timeout, TimedOutTries(e)), e);

    /// <summary>Wraps a chat client.</summary>
    public static IChatClient Guard(IChatClient inner, Uri endpoint, TimeSpan timeout) => new Chat(inner, endpoint, timeout);

    /// <summary>Wraps an embedding generator.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> Guard(IEmbeddingGenerator<string, Embedding<float>> inner, Uri endpoint, TimeSpan timeout) =>
        new Embeddings(inner, endpoint, timeout);

    private sealed class Chat(IChatClient inner, Uri endpoint, TimeSpan timeout) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            try
            {
                return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && TimedOutTries(e) > 0)
            {
                throw Timeout("The LLM", endpoint, timeout, e);
            }
        }
    }

    private sealed class Embeddings(IEmbeddingGenerator<string, Embedding<float>> inner, Uri endpoint, TimeSpan timeout)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
            EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            try
            {
                return await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && TimedOutTries(e) > 0)
            {
                throw Timeout("The embedding model", endpoint, timeout, e);
            }
        }
    }
}
