using System.Net;
using System.Net.Http.Headers;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// A retryable HTTP failure (429 or 5xx) with the delay the server asked for, if any. <see cref="LlmTemplateGenerator"/>
/// retries it after <see cref="RetryAfter"/> (capped by its options); throw it from your own <c>IChatClient</c> to pass a
/// server's Retry-After on. Any other <see cref="HttpRequestException"/> with a 429 or 5xx status is retried with backoff.
/// </summary>
public sealed class TransientHttpException : HttpRequestException
{
    /// <summary>A failure with status <paramref name="status"/>, described by the status alone.</summary>
    /// <param name="status">The HTTP status the server answered.</param>
    /// <param name="retryAfter">The server's Retry-After, if it sent one.</param>
    public TransientHttpException(HttpStatusCode status, TimeSpan? retryAfter)
        : this($"The server answered {(int)status} ({status}).", null, status, retryAfter)
    {
    }

    /// <summary>A failure described by <paramref name="message"/>, e.g. a client library's own exception translated.</summary>
    /// <param name="message">What happened, as the caller will see it.</param>
    /// <param name="inner">The exception this one translates, if any.</param>
    /// <param name="status">The HTTP status the server answered.</param>
    /// <param name="retryAfter">The server's Retry-After, if it sent one.</param>
    public TransientHttpException(string message, Exception? inner, HttpStatusCode status, TimeSpan? retryAfter)
        : base(message, inner, status) => RetryAfter = retryAfter;

    /// <summary>How long the server asked the client to wait, or null.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Whether a response status is worth retrying: 429 (too many requests) or any 5xx.</summary>
    /// <param name="status">The HTTP status code.</param>
    public static bool IsTransientStatus(int status) => status == 429 || status is >= 500 and <= 599;

    /// <summary>Reads a Retry-After header value: delta-seconds or an HTTP date (a past date is zero); null without one.</summary>
    /// <param name="header">The header, if the response had one.</param>
    /// <param name="now">The current time, against which a date is read.</param>
    public static TimeSpan? ParseRetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null)
            return null;
        if (header.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
            return date > now ? date - now : TimeSpan.Zero;
        return null;
    }
}
