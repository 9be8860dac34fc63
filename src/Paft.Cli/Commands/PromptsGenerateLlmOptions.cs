using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Commands;

/// <summary>
/// The LLM half of <c>paft prompts generate</c>: the endpoints (<see cref="LlmEndpointOptions"/>), the generation
/// options, and the code that asks the LLMs for templates.
/// </summary>
internal sealed class PromptsGenerateLlmOptions
{
    /// <summary>--endpoint, --model, --kind and --api-key-env, as <c>paft train --batprompt</c> also takes them.</summary>
    public LlmEndpointOptions Endpoint { get; } = new();

    public Option<int> Requests { get; } = new("--requests")
    {
        Description = "Requests sent to each LLM.",
        DefaultValueFactory = _ => 4,
    };

    public Option<int> PerRequest { get; } = new("--per-request")
    {
        Description = "Templates asked for in each request.",
        DefaultValueFactory = _ => 10,
    };

    public Option<float?> Temperature { get; } = new("--temperature")
    {
        Description = "Sampling temperature (default 1.0).",
    };

    public Option<int> Concurrency { get; } = new("--concurrency")
    {
        Description = "Most requests in flight at once, across all LLMs.",
        DefaultValueFactory = _ => 4,
    };

    public Option<int> MaxRetries { get; } = new("--max-retries")
    {
        Description = "Retries of a request after a 429, a 5xx, a network error or a timeout.",
        DefaultValueFactory = _ => 5,
    };

    public Option<double> Timeout { get; } = new(LlmRequestTimeout.Flag)
    {
        Description = "Seconds to wait for one LLM reply before the request counts as failed (and is retried).",
        DefaultValueFactory = _ => LlmRequestTimeout.DefaultSeconds,
    };

    public Option<string> CacheDirectory { get; } = new("--cache-dir")
    {
        Description = "Folder where LLM replies are cached, so a rerun with the same settings sends no request.",
        DefaultValueFactory = _ => Path.Combine(".paft-cache", "llm"),
    };

    public Option<bool> NoCache { get; } = new("--no-cache")
    {
        Description = "Do not read or write the reply cache.",
    };

    public Option<FileInfo?> MetaPromptFile { get; } = new("--meta-prompt")
    {
        Description = "A text file replacing the built-in meta-prompt (markers such as [[PLACEHOLDERS]] and [[COUNT]] are filled in).",
    };

    public Option<FileInfo?> ExamplesFile { get; } = new("--examples")
    {
        Description = "Example templates for a few-shot meta-prompt, one a line, line breaks written as \\n.",
    };

    public Option<string?> TaskDescription { get; } = new("--task-description")
    {
        Description = "A sentence on what the task is, for the meta-prompt.",
    };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in Endpoint.All.Concat([Requests, PerRequest, Temperature,
                     Concurrency, MaxRetries, Timeout, CacheDirectory, NoCache, MetaPromptFile, ExamplesFile, TaskDescription]))
            command.Options.Add(option);
    }

    /// <summary>Whether the command line asks for LLM generation (at least one --endpoint).</summary>
    public bool IsRequested(ParseResult parseResult) => Endpoint.IsRequested(parseResult);

    /// <summary>One settings object per --endpoint, with the other per-endpoint options matched to it.</summary>
    /// <exception cref="ArgumentException">A per-endpoint option has the wrong count, an endpoint is not a URL, or --timeout is not positive.</exception>
    public IReadOnlyList<LlmClientSettings> ReadClientSettings(ParseResult parseResult)
    {
        TimeSpan timeout = LlmRequestTimeout.Of(parseResult.GetValue(Timeout));
        IReadOnlyList<LlmClientSettings> settings = Endpoint.ReadClientSettings(parseResult);
        foreach (LlmClientSettings endpoint in settings)
            endpoint.RequestTimeout = timeout;
        return settings;
    }

    /// <summary>The generator's options from the command line.</summary>
    public LlmTemplateGeneratorOptions ReadGeneratorOptions(ParseResult parseResult, ILogger? logger)
    {
        FileInfo? examplesFile = parseResult.GetValue(ExamplesFile);
        return new LlmTemplateGeneratorOptions
        {
            RequestsPerClient = parseResult.GetValue(Requests),
            TemplatesPerRequest = parseResult.GetValue(PerRequest),
            Temperature = parseResult.GetValue(Temperature) ?? 1.0f,
            MaxConcurrency = parseResult.GetValue(Concurrency),
            MaxRetries = parseResult.GetValue(MaxRetries),
            CacheDirectory = parseResult.GetValue(NoCache) ? null : parseResult.GetValue(CacheDirectory),
            MetaPromptFile = parseResult.GetValue(MetaPromptFile)?.FullName,
            FewShotExamples = examplesFile is null ? [] : ReadExamples(examplesFile.FullName),
            TaskDescription = parseResult.GetValue(TaskDescription),
            Logger = logger,
        };
    }

    /// <summary>
    /// Asks every LLM named on the command line for templates of <paramref name="task"/>, prints a
    /// summary to <paramref name="output"/> (warnings and errors go to <paramref name="log"/>), and
    /// returns the result; the caller puts <see cref="LlmGenerationResult.Accepted"/> into the pool.
    /// <paramref name="validator"/> is the prompt-template validity check (the generator's basic check when null).
    /// </summary>
    public async Task<LlmGenerationResult> RunAsync(ParseResult parseResult, TaskDefinition task, TextWriter output, TextWriter log,
        CancellationToken cancellationToken, TemplateValidator? validator = null)
    {
        LlmTemplateGeneratorOptions options = ReadGeneratorOptions(parseResult, new TextWriterLogger(log));
        var clients = ReadClientSettings(parseResult).Select(LlmClientFactory.Create).ToList();
        try
        {
            var generator = new LlmTemplateGenerator(clients, options, validator);
            LlmGenerationResult result = await generator.GenerateAsync(task, cancellationToken: cancellationToken).ConfigureAwait(false);
            WriteSummary(result, output);
            return result;
        }
        finally
        {
            foreach (LlmClient client in clients)
                client.Dispose();
        }
    }

    internal static void WriteSummary(LlmGenerationResult result, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"LLM templates: {result.Accepted.Count} accepted, {result.Rejected.Count} rejected, {result.Failures.Count} request(s) failed; {result.HttpCalls} HTTP call(s), {result.CacheHits} cache hit(s)."));
        foreach ((string name, LlmTokenUsage usage) in result.UsageByClient)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name}: {usage.InputTokens} input + {usage.OutputTokens} output tokens, {usage.HttpCalls} call(s), {usage.CacheHits} cache hit(s), {result.Accepted.Count(a => a.ClientName == name)} accepted"));
        foreach (LlmRequestFailure failure in result.Failures)
            output.WriteLine($"  failed: {failure.ClientName} request {failure.RequestIndex}: {failure.Message}");
        foreach (var group in result.Rejected.GroupBy(r => r.WholeReply ? "whole reply: " + r.Reason : r.Reason.StartsWith("duplicate", StringComparison.Ordinal) ? "duplicate" : r.Reason))
            output.WriteLine($"  rejected {group.Count()}x: {group.Key}");
    }

    /// <summary>Example templates from a file: one a line, <c>\n</c> for a line break, blank lines skipped.</summary>
    internal static IReadOnlyList<string> ReadExamples(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Examples file '{path}' does not exist.", path);
        string[] examples = File.ReadAllLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Trim().Replace("\\n", "\n")).ToArray();
        if (examples.Length == 0)
            throw new InvalidDataException($"Examples file '{path}' holds no templates (expected one a line).");
        return examples;
    }

    /// <summary>Writes the generator's warnings and errors (keys already masked) to a text writer, e.g. stderr.</summary>
    private sealed class TextWriterLogger(TextWriter writer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                writer.WriteLine($"{logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
        }
    }
}
