
namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// When to retry a failed LLM request and how long to wait first: exponential backoff with jitter
/// from a seeded generator, or the server's Retry-After when it sent one. Retried are 429, 5xx,
/// network errors and timeouts; everything else (401, 400, ...) fails at once.
/// </summary>
internal sealed class RetryPolicy
{
    private readonly Random _random;
    private readonly object _randomLock = new();

    public RetryPolicy(int maxRetries, TimeSpan initialDelay, TimeSpan maxDelay, TimeSpan maxRetryAfter, int seed)
    {
        if (maxRetries < 0)
            throw new ArgumentOutOfRangeException(nameof(maxRetries), maxRetries, "The number of retries cannot be negative.");
        if (initialDelay < TimeSpan.Zero || maxDelay < initialDelay)
            throw new ArgumentOutOfRangeException(nameof(initialDelay), "Retry delays must satisfy 0 <= initial <= maximum.");
        if (maxRetryAfter < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(maxRetryAfter), "The Retry-After cap cannot be negative.");
        MaxRetries = maxRetries;
        InitialDelay = initialDelay;
        MaxDelay = maxDelay;
        MaxRetryAfter = maxRetryAfter;
        _random = new Random(seed);
    }

    public int MaxRetries { get; }
    public TimeSpan InitialDelay { get; }
    public TimeSpan MaxDelay { get; }
    public TimeSpan MaxRetryAfter { get; }

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (0 for the first retry). A server's
    /// Retry-After is obeyed as sent (up to <see cref="MaxRetryAfter"/>); otherwise the wait is
    /// <c>initial * 2^retry</c>, capped, and scaled by a random factor in [0.5, 1) so that clients
    /// that failed together do not retry together.
    /// </summary>
    public TimeSpan NextDelay(int retry, TimeSpan? retryAfter)
    {
        if (retryAfter is { } requested)
            return requested > MaxRetryAfter ? MaxRetryAfter : requested;

        double exponential = InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 30));
        double capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        double factor;
        lock (_randomLock)
            factor = 0.5 + 0.5 * _random.NextDouble();
        return TimeSpan.FromMilliseconds(capped * factor);
    }

    /// <summary>
    /// Whether <paramref name="exception"/> is worth retrying, and the server's requested delay if it
    /// named one. A cancellation the caller asked for is never transient.
    /// </summary>
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (cancellationToken.IsCancellationRequested)
            return false;

        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case TransientHttpException transient:
                    retryAfter = transient.RetryAfter;
                    return true;
                case HttpRequestException { StatusCode: { } status }:
                    return TransientHttpException.IsTransientStatus((int)status);
                case HttpRequestException:   // no status: the connection failed
                case IOException:
                case OperationCanceledException:   // a timeout, since the caller did not cancel
                case TimeoutException:
                    return true;
            }
        }
        return false;
    }
}
