using System.Net;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// Turns a 429 or 5xx response into a <see cref="TransientHttpException"/> that carries the server's
/// Retry-After, which clients such as OllamaSharp would otherwise drop with the response.
/// </summary>
internal sealed class TransientStatusHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!RetryPolicy.IsTransientStatus((int)response.StatusCode))
            return response;

        TimeSpan? retryAfter = RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
        HttpStatusCode status = response.StatusCode;
        response.Dispose();
        throw new TransientHttpException(status, retryAfter);
    }
}

/// <summary>A retryable HTTP status (429 or 5xx) with the delay the server asked for, if any.</summary>
internal sealed class TransientHttpException(HttpStatusCode status, TimeSpan? retryAfter)
    : HttpRequestException($"The server answered {(int)status} ({status}).", inner: null, status)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
