using System.Net;

using Paft.MLNet.PromptGeneration;

namespace Paft.MLNet.Connectors;

/// <summary>
/// Turns a 429 or 5xx response into a <see cref="TransientHttpException"/> that carries the server's
/// Retry-After, which clients such as OllamaSharp would otherwise drop with the response.
/// </summary>
internal sealed class TransientStatusHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!TransientHttpException.IsTransientStatus((int)response.StatusCode))
            return response;

        TimeSpan? retryAfter = TransientHttpException.ParseRetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
        HttpStatusCode status = response.StatusCode;
        response.Dispose();
        throw new TransientHttpException(status, retryAfter);
    }
}
