using System.CommandLine;
using Paft.MLNet.PromptGeneration;

namespace Paft.Cli.Commands;

/// <summary>
/// The options that name LLM endpoints — <c>--endpoint</c>, the model name, <c>--kind</c>, <c>--api-key-env</c> — and
/// the one place that checks them and turns them into <see cref="LlmClientSettings"/>, shared by <c>paft prompts generate</c>
/// (several endpoints) and <c>paft train --batprompt</c> (one). <c>--endpoint</c> may be repeated; the others are then given
/// once (for every endpoint) or once per endpoint, in the same order. API keys are read from the named environment
/// variables only, never from the command line, where they would land in shell history and process listings.
/// </summary>
internal sealed class LlmEndpointOptions
{
    /// <param name="modelFlag">The model-name flag: <c>--model</c>, or another name where the command already uses <c>--model</c>.</param>
    /// <param name="purpose">What the LLM is for, finishing the <c>--endpoint</c> description.</param>
    /// <param name="repeatable">Whether the command takes several endpoints (the help then says how the other options pair with them).</param>
    public LlmEndpointOptions(string modelFlag = "--model", string purpose = "to ask for templates", bool repeatable = true)
    {
        ModelFlag = modelFlag;
        string perEndpoint = repeatable ? "; once for all or once per --endpoint" : "";
        Endpoints = new("--endpoint")
        {
            Description = $"Base URL of an LLM {purpose} (OpenAI-compatible: include /v1; Ollama: the server root)" +
                          (repeatable ? ". Repeat for several LLMs." : "."),
            Arity = ArgumentArity.ZeroOrMore,
        };
        Models = new(modelFlag) { Description = $"Model name the --endpoint serves{perEndpoint}.", Arity = ArgumentArity.ZeroOrMore };
        Kinds = new("--kind")
        {
            Description = $"Protocol of the endpoint: openai or ollama (default openai){perEndpoint}.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        Kinds.AcceptOnlyFromAmong(KindNames);
        ApiKeyEnvironmentVariables = new("--api-key-env")
        {
            Description = $"Name of the environment variable holding the API key, e.g. OPENAI_API_KEY{perEndpoint}. The key itself is never written anywhere.",
            Arity = ArgumentArity.ZeroOrMore,
        };
    }

    /// <summary>The accepted <c>--kind</c> values.</summary>
    public static readonly string[] KindNames = ["openai", "ollama"];

    /// <summary>The model-name flag's name.</summary>
    public string ModelFlag { get; }

    public Option<string[]> Endpoints { get; }

    public Option<string[]> Models { get; }

    public Option<string[]> Kinds { get; }

    public Option<string[]> ApiKeyEnvironmentVariables { get; }

    /// <summary>The four options, in help order.</summary>
    public IEnumerable<Option> All => [Endpoints, Models, Kinds, ApiKeyEnvironmentVariables];

    /// <summary>Whether the command line names an LLM (at least one --endpoint).</summary>
    public bool IsRequested(ParseResult parseResult) => parseResult.GetValue(Endpoints) is { Length: > 0 };

    /// <summary>One settings object per --endpoint of the command line, with the other per-endpoint options matched to it.</summary>
    /// <exception cref="ArgumentException">A per-endpoint option has the wrong count, a kind is unknown, or an endpoint is not a URL.</exception>
    public IReadOnlyList<LlmClientSettings> ReadClientSettings(ParseResult parseResult) => ClientSettings(
        parseResult.GetValue(Endpoints) ?? [], parseResult.GetValue(Models) ?? [], parseResult.GetValue(Kinds) ?? [],
        parseResult.GetValue(ApiKeyEnvironmentVariables) ?? []);

    /// <summary>
    /// The settings of the endpoints named by these values (from the command line or a config file): one per endpoint,
    /// the model, kind and key variable given once for all or once per endpoint.
    /// </summary>
    /// <exception cref="ArgumentException">A per-endpoint value has the wrong count, a kind is unknown, or an endpoint is not a URL.</exception>
    public IReadOnlyList<LlmClientSettings> ClientSettings(IReadOnlyList<string> endpoints, IReadOnlyList<string> models,
        IReadOnlyList<string> kinds, IReadOnlyList<string> keyVariables)
    {
        if (endpoints.Count == 0)
            throw new ArgumentException("Give at least one --endpoint.");
        if (models.Count == 0)
            throw new ArgumentException($"Give {ModelFlag} (once for all endpoints, or once per --endpoint).");
        CheckCount(ModelFlag, models.Count, endpoints.Count, optional: false);
        CheckCount("--kind", kinds.Count, endpoints.Count, optional: true);
        CheckCount("--api-key-env", keyVariables.Count, endpoints.Count, optional: true);

        var settings = new List<LlmClientSettings>();
        for (int i = 0; i < endpoints.Count; i++)
        {
            if (!Uri.TryCreate(endpoints[i], UriKind.Absolute, out Uri? endpoint))
                throw new ArgumentException($"--endpoint '{endpoints[i]}' is not an absolute URL.");
            if (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)
                throw new ArgumentException($"--endpoint '{endpoints[i]}' is not an http(s) URL.");
            string kind = Pick(kinds, i) ?? "openai";
            if (!KindNames.Contains(kind, StringComparer.Ordinal))
                throw new ArgumentException($"--kind '{kind}' is not one of {string.Join(", ", KindNames)}.");
            string model = Pick(models, i)!;
            if (string.IsNullOrWhiteSpace(model))
                throw new ArgumentException($"{ModelFlag} is empty: name the model the --endpoint serves.");
            settings.Add(new LlmClientSettings
            {
                Kind = kind == "ollama" ? LlmClientKind.Ollama : LlmClientKind.OpenAI,
                Endpoint = endpoint,
                Model = model,
                ApiKeyEnvironmentVariable = Pick(keyVariables, i),
            });
        }
        return settings;
    }

    private static void CheckCount(string option, int given, int endpoints, bool optional)
    {
        if ((optional && given == 0) || given == 1 || given == endpoints)
            return;
        throw new ArgumentException(
            $"{option} was given {given} times for {endpoints} --endpoint value(s); give it once (for all endpoints) or once per --endpoint.");
    }

    private static string? Pick(IReadOnlyList<string> values, int index) => values.Count switch
    {
        0 => null,
        1 => values[0],
        _ => values[index],
    };
}
