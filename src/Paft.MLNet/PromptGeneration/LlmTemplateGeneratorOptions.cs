using Microsoft.Extensions.Logging;

namespace Paft.MLNet.PromptGeneration;

/// <summary>Settings of an <see cref="LlmTemplateGenerator"/> run.</summary>
public sealed class LlmTemplateGeneratorOptions
{
    /// <summary>How many requests to send to each client; replies to different requests differ by sampling.</summary>
    public int RequestsPerClient { get; set; } = 4;

    /// <summary>How many templates each request asks for.</summary>
    public int TemplatesPerRequest { get; set; } = 10;

    /// <summary>
    /// Example templates shown to the LLM. When any are given the few-shot meta-prompt is used,
    /// otherwise the zero-shot one.
    /// </summary>
    public IReadOnlyList<string> FewShotExamples { get; set; } = [];

    /// <summary>A sentence or two on what the task is, inserted into the meta-prompt.</summary>
    public string? TaskDescription { get; set; }

    /// <summary>
    /// A file whose text replaces the built-in meta-prompt. It may use the markers <c>[[TASK_NAME]]</c>,
    /// <c>[[TASK_DESCRIPTION]]</c>, <c>[[FIELD_LIST]]</c>, <c>[[PLACEHOLDERS]]</c>, <c>[[ANSWER_LABELS]]</c>,
    /// <c>[[FIRST_LABEL]]</c>, <c>[[FIRST_OPTION]]</c>, <c>[[COUNT]]</c> and <c>[[EXAMPLES]]</c>.
    /// </summary>
    public string? MetaPromptFile { get; set; }

    /// <summary>Sampling temperature; high values give more varied templates.</summary>
    public float? Temperature { get; set; } = 1.0f;

    /// <summary>The most tokens one reply may have.</summary>
    public int? MaxOutputTokens { get; set; } = 2048;

    /// <summary>
    /// The base of the per-request sampling seed (request i is sent seed <c>Seed + i</c>, for servers
    /// that honour it) and the seed of the retry jitter.
    /// </summary>
    public int Seed { get; set; } = 1234;

    /// <summary>The most requests in flight at once, across all clients.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>How many times a request is retried after a 429, a 5xx, a network error or a timeout.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The wait before the first retry; each further retry waits about twice as long.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff between two attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a server's Retry-After is obeyed for.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Where replies are cached; null turns the cache off.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Where progress, retries and rejections are logged; API keys are masked in every line.</summary>
    public ILogger? Logger { get; set; }
}
