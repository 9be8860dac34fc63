namespace Paft.MLNet.PromptGeneration;

/// <summary>A template an LLM wrote that passed validation and was not a duplicate.</summary>
/// <param name="Text">The template, with real line breaks.</param>
/// <param name="ClientName">The client whose reply held it first.</param>
/// <param name="RequestIndex">Which of that client's requests it came from.</param>
public sealed record GeneratedTemplate(string Text, string ClientName, int RequestIndex);

/// <summary>A candidate template, or a whole reply, that was turned down.</summary>
/// <param name="Text">The candidate template, or the whole reply when <paramref name="WholeReply"/> is set.</param>
/// <param name="ClientName">The client that sent it.</param>
/// <param name="RequestIndex">Which of that client's requests it came from.</param>
/// <param name="Reason">Why it was rejected: validation problems, a duplicate, or why the reply could not be parsed.</param>
/// <param name="WholeReply">True when the reply as a whole held no usable candidates.</param>
public sealed record RejectedCandidate(string Text, string ClientName, int RequestIndex, string Reason, bool WholeReply);

/// <summary>A request that got no reply, after its retries.</summary>
/// <param name="ClientName">The client.</param>
/// <param name="RequestIndex">Which of its requests failed.</param>
/// <param name="Message">The last error, with API keys masked.</param>
public sealed record LlmRequestFailure(string ClientName, int RequestIndex, string Message);

/// <summary>What one client cost.</summary>
/// <param name="InputTokens">Prompt tokens summed over the replies that reported usage.</param>
/// <param name="OutputTokens">Completion tokens summed likewise.</param>
/// <param name="HttpCalls">Requests sent, retries included.</param>
/// <param name="CacheHits">Requests answered from the disk cache, with no call.</param>
public sealed record LlmTokenUsage(long InputTokens, long OutputTokens, int HttpCalls, int CacheHits);

/// <summary>Progress of a generation run, reported after each request completes.</summary>
/// <param name="CompletedRequests">Requests finished so far, successful or not.</param>
/// <param name="TotalRequests">All requests of the run.</param>
/// <param name="ClientName">The client whose request just finished.</param>
/// <param name="RequestIndex">Which of its requests.</param>
/// <param name="FromCache">Whether the reply came from the cache.</param>
public sealed record LlmGenerationProgress(int CompletedRequests, int TotalRequests, string ClientName, int RequestIndex, bool FromCache);

/// <summary>The outcome of <see cref="LlmTemplateGenerator.GenerateAsync"/>.</summary>
public sealed class LlmGenerationResult
{
    internal LlmGenerationResult(IReadOnlyList<GeneratedTemplate> accepted, IReadOnlyList<RejectedCandidate> rejected,
        IReadOnlyList<LlmRequestFailure> failures, IReadOnlyDictionary<string, LlmTokenUsage> usageByClient)
    {
        Accepted = accepted;
        Rejected = rejected;
        Failures = failures;
        UsageByClient = usageByClient;
    }

    /// <summary>Valid, distinct templates, in client order and then request order.</summary>
    public IReadOnlyList<GeneratedTemplate> Accepted { get; }

    /// <summary>Candidates and replies that were turned down, with the reason.</summary>
    public IReadOnlyList<RejectedCandidate> Rejected { get; }

    /// <summary>Requests that failed for good (retries exhausted, or an error not worth retrying such as 401).</summary>
    public IReadOnlyList<LlmRequestFailure> Failures { get; }

    /// <summary>Tokens, calls and cache hits per client name.</summary>
    public IReadOnlyDictionary<string, LlmTokenUsage> UsageByClient { get; }

    /// <summary>HTTP calls over all clients, retries included.</summary>
    public int HttpCalls => UsageByClient.Values.Sum(u => u.HttpCalls);

    /// <summary>Requests answered from the cache over all clients.</summary>
    public int CacheHits => UsageByClient.Values.Sum(u => u.CacheHits);
}
