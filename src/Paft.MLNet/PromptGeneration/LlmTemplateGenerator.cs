using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// Asks one or several LLMs for prompt templates of a task (PAFT's "diverse templates from several
/// LLMs"), then parses, validates and deduplicates their replies. Requests run concurrently up to a
/// limit, transient failures are retried with backoff, replies are cached on disk, and API keys are
/// masked in everything the generator logs or records.
/// </summary>
public sealed class LlmTemplateGenerator
{
    private readonly IReadOnlyList<LlmClient> _clients;
    private readonly LlmTemplateGeneratorOptions _options;
    private readonly TemplateValidator _validator;
    private readonly SecretRedactor _redactor;

    /// <summary>Creates a generator.</summary>
    /// <param name="clients">The LLMs to ask; their names must be distinct.</param>
    /// <param name="options">Run settings; defaults when null.</param>
    /// <param name="validator">Decides whether a candidate is a valid template of the task; by default every
    /// field must appear, no unknown placeholder may, and braces must balance.</param>
    public LlmTemplateGenerator(IReadOnlyList<LlmClient> clients, LlmTemplateGeneratorOptions? options = null,
        TemplateValidator? validator = null)
    {
        ArgumentNullException.ThrowIfNull(clients);
        if (clients.Count == 0)
            throw new ArgumentException("The generator needs at least one LLM client.", nameof(clients));
        string? duplicate = clients.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
            throw new ArgumentException($"Two LLM clients are named '{duplicate}'; give each a distinct name.", nameof(clients));

        _options = options ?? new LlmTemplateGeneratorOptions();
        if (_options.RequestsPerClient < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.RequestsPerClient, "RequestsPerClient must be at least 1.");
        if (_options.TemplatesPerRequest < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.TemplatesPerRequest, "TemplatesPerRequest must be at least 1.");
        if (_options.MaxConcurrency < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxConcurrency, "MaxConcurrency must be at least 1.");

        _clients = clients.ToArray();
        _validator = validator ?? BasicTemplateValidator.Validate;
        _redactor = new SecretRedactor(_clients.Select(c => c.Secret));
    }

    /// <summary>How the generator waits between attempts; tests replace it to record the delays.</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;

    /// <summary>Sends every request, then collects the valid, distinct templates.</summary>
    /// <param name="task">The task the templates are for.</param>
    /// <param name="progress">Told after each request completes.</param>
    /// <param name="cancellationToken">Stops the run; requests in flight are abandoned.</param>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<LlmGenerationResult> GenerateAsync(TaskDefinition task, IProgress<LlmGenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        bool fewShot = _options.FewShotExamples.Count > 0;
        (string text, string source) = MetaPrompt.Load(fewShot, _options.MetaPromptFile);
        string metaPrompt = MetaPrompt.Fill(text, source, task, _options.TaskDescription, _options.TemplatesPerRequest, _options.FewShotExamples);

        ReplyCache? cache = _options.CacheDirectory is null ? null : new ReplyCache(_options.CacheDirectory);
        var retry = new RetryPolicy(_options.MaxRetries, _options.InitialRetryDelay, _options.MaxRetryDelay, _options.MaxRetryAfter, _options.Seed);
        using var concurrency = new SemaphoreSlim(_options.MaxConcurrency);
        var counters = _clients.ToDictionary(c => c.Name, _ => new UsageCounter(), StringComparer.Ordinal);
        int total = _clients.Count * _options.RequestsPerClient;
        int completed = 0;

        Log(LogLevel.Information, $"Asking {_clients.Count} client(s) {_options.RequestsPerClient} time(s) each for {_options.TemplatesPerRequest} '{task.Name}' templates ({(fewShot ? "few-shot" : "zero-shot")} meta-prompt from {source}).");

        var requests = new List<(LlmClient Client, int Index, Task<RequestOutcome> Outcome)>();
        foreach (LlmClient client in _clients)
            for (int index = 0; index < _options.RequestsPerClient; index++)
            {
                LlmClient c = client;
                int i = index;
                requests.Add((c, i, Task.Run(async () =>
                {
                    RequestOutcome outcome = await RequestAsync(c, i, metaPrompt, cache, retry, concurrency, counters[c.Name], cancellationToken).ConfigureAwait(false);
                    int done = Interlocked.Increment(ref completed);
                    progress?.Report(new LlmGenerationProgress(done, total, c.Name, i, outcome.FromCache));
                    return outcome;
                }, cancellationToken)));
            }
        await Task.WhenAll(requests.Select(r => r.Outcome)).ConfigureAwait(false);

        // Replies are judged in client order, then request order, so the result does not depend on
        // which request happened to finish first.
        var accepted = new List<GeneratedTemplate>();
        var rejected = new List<RejectedCandidate>();
        var failures = new List<LlmRequestFailure>();
        var seen = new Dictionary<string, GeneratedTemplate>(StringComparer.Ordinal);
        foreach ((LlmClient client, int index, Task<RequestOutcome> outcomeTask) in requests)
        {
            RequestOutcome outcome = outcomeTask.Result;
            if (outcome.Error is not null)
            {
                failures.Add(new LlmRequestFailure(client.Name, index, outcome.Error));
                continue;
            }

            (IReadOnlyList<string> candidates, string? parseError) = TemplateReplyParser.Parse(outcome.Reply);
            if (parseError is not null)
            {
                rejected.Add(new RejectedCandidate(outcome.Reply ?? "", client.Name, index, parseError, WholeReply: true));
                Log(LogLevel.Warning, $"{client.Name} request {index}: reply rejected: {parseError}.");
                continue;
            }

            foreach (string candidate in candidates)
            {
                IReadOnlyList<string> problems = _validator(candidate, task);
                if (problems.Count > 0)
                {
                    rejected.Add(new RejectedCandidate(candidate, client.Name, index, string.Join("; ", problems), WholeReply: false));
                    continue;
                }
                string normalized = TextShingles.Normalize(candidate);
                if (seen.TryGetValue(normalized, out GeneratedTemplate? first))
                {
                    rejected.Add(new RejectedCandidate(candidate, client.Name, index,
                        $"duplicate of a template from {first.ClientName} request {first.RequestIndex}", WholeReply: false));
                    continue;
                }
                var template = new GeneratedTemplate(candidate, client.Name, index);
                seen.Add(normalized, template);
                accepted.Add(template);
            }
        }

        var usage = _clients.ToDictionary(c => c.Name, c => counters[c.Name].Snapshot(), StringComparer.Ordinal);
        Log(LogLevel.Information, $"Accepted {accepted.Count} template(s), rejected {rejected.Count}, {failures.Count} request(s) failed; {usage.Values.Sum(u => u.HttpCalls)} HTTP call(s), {usage.Values.Sum(u => u.CacheHits)} cache hit(s).");
        return new LlmGenerationResult(accepted, rejected, failures, usage);
    }

    /// <summary>One request: from the cache if it holds the reply, else from the client with retries.</summary>
    private async Task<RequestOutcome> RequestAsync(LlmClient client, int index, string metaPrompt, ReplyCache? cache,
        RetryPolicy retry, SemaphoreSlim concurrency, UsageCounter counter, CancellationToken cancellationToken)
    {
        long seed = (long)_options.Seed + index;
        string? cacheKey = null;
        if (cache is not null)
        {
            cacheKey = ReplyCache.Key(client.Kind, client.Endpoint, client.Model, metaPrompt, _options.Temperature, _options.MaxOutputTokens, seed, index);
            string? cached = cache.TryRead(cacheKey, out string? problem);
            if (problem is not null)
                Log(LogLevel.Warning, $"Ignoring a damaged cache entry and asking again: {problem}.");
            if (cached is not null)
            {
                counter.AddCacheHit();
                Log(LogLevel.Debug, $"{client.Name} request {index}: reply from the cache.");
                return new RequestOutcome(cached, null, FromCache: true);
            }
        }

        var chatOptions = new ChatOptions
        {
            Temperature = _options.Temperature,
            MaxOutputTokens = _options.MaxOutputTokens,
            Seed = seed,
        };
        ChatMessage[] messages = [new ChatMessage(ChatRole.User, metaPrompt)];

        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Exception? failure = null;
            string? reply = null;
            await concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                counter.AddCall();
                ChatResponse response = await client.ChatClient.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
                counter.AddUsage(response.Usage);
                // A server that echoes the credentials into its reply must not get them into the cache or the pool.
                reply = _redactor.Redact(response.Text);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                concurrency.Release();
            }

            if (failure is null)
            {
                // Outside the try: a cache write error is ours, not the server's, and must not be retried.
                if (cache is not null && cacheKey is not null)
                    cache.Write(cacheKey, reply!);
                Log(LogLevel.Debug, $"{client.Name} request {index}: reply of {reply!.Length} characters.");
                return new RequestOutcome(reply, null, FromCache: false);
            }

            string message = _redactor.Redact($"{failure.GetType().Name}: {failure.Message}");
            if (!RetryPolicy.IsTransient(failure, cancellationToken, out TimeSpan? retryAfter) || attempt >= retry.MaxRetries)
            {
                Log(LogLevel.Error, $"{client.Name} request {index} failed after {attempt + 1} attempt(s): {message}");
                return new RequestOutcome(null, message, FromCache: false);
            }
            TimeSpan delay = retry.NextDelay(attempt, retryAfter);
            Log(LogLevel.Warning, $"{client.Name} request {index}, attempt {attempt + 1}: {message}; retrying in {delay.TotalMilliseconds:F0} ms{(retryAfter is null ? "" : " (Retry-After)")}.");
            await Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Log(LogLevel level, string message)
    {
        ILogger? logger = _options.Logger;
        if (logger is null || !logger.IsEnabled(level))
            return;
        string redacted = _redactor.Redact(message);
        logger.Log(level, default, redacted, null, static (text, _) => text);
    }

    private sealed record RequestOutcome(string? Reply, string? Error, bool FromCache);

    /// <summary>One client's running totals; requests update it from several threads.</summary>
    private sealed class UsageCounter
    {
        private long _input, _output;
        private int _calls, _cacheHits;

        public void AddCall() => Interlocked.Increment(ref _calls);
        public void AddCacheHit() => Interlocked.Increment(ref _cacheHits);

        public void AddUsage(UsageDetails? usage)
        {
            if (usage is null)
                return;
            Interlocked.Add(ref _input, usage.InputTokenCount ?? 0);
            Interlocked.Add(ref _output, usage.OutputTokenCount ?? 0);
        }

        public LlmTokenUsage Snapshot() => new(Interlocked.Read(ref _input), Interlocked.Read(ref _output), _calls, _cacheHits);
    }
}
