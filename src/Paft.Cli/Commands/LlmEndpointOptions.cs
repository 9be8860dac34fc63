using System.CommandLine;
using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;

namespace Paft.Cli.Commands;

/// <summary>
/// The options that name LLM endpoints — <c>--endpoint</c>, the model name, <c>--kind</c>, <c>--api-key-env</c> — and
/// the one place that checks them and turns them into <see cref="LlmClientSettings"/>, shared by <c>paft prompts generate</c>
/// (several endpoints), <c>paft train --batprompt</c> (one) and, with the prefix <c>embedding-</c>, <c>paft train --zopo</c>'s
/// embedding model. <c>--endpoint</c> may be repeated; the others are then given
/// once (for every endpoint) or once per endpoint, in the same order. API keys are read from the named environment
/// variables only, never from the command line, where they would land in shell history and process listings.
/// </summary>
internal sealed class LlmEndpointOptions
{
    /// <param name="modelFlag">The model-name flag: <c>--model</c>, or another name where the command already uses <c>--model</c>.</param>
    /// <param name="purpose">What the LLM is for, finishing the <c>--endpoint</c> description.</param>
    /// <param name="repeatable">Whether the command takes several endpoints (the help then says how the other options pair with them).</param>
    /// <param name="flagPrefix">Put before the endpoint, kind and key flags' names (<c>embedding-</c> gives <c>--embedding-endpoint</c>,
    /// <c>--embedding-kind</c>, <c>--embedding-api-key-env</c>), so that one command can name two endpoints.</param>
    /// <param name="what">What the endpoint serves, in the help: "LLM" or e.g. "embedding model".</param>
    public LlmEndpointOptions(string modelFlag = "--model", string purpose = "to ask for templates", bool repeatable = true,
        string flagPrefix = "", string what = "LLM")
    {
        ModelFlag = modelFlag;
        EndpointFlag = $"--{flagPrefix}endpoint";
        KindFlag = $"--{flagPrefix}kind";
        ApiKeyFlag = $"--{flagPrefix}api-key-env";
        _repeatable = repeatable;
        string perEndpoint = repeatable ? $"; once for all or once per {EndpointFlag}" : "";
        Endpoints = new(EndpointFlag)
        {
            Description = $"Base URL of an {what} {purpose} (OpenAI-compatible: include /v1; Ollama: the server root)" +
                          (repeatable ? $". Repeat for several {what}s." : "."),
            Arity = ArgumentArity.ZeroOrMore,
        };
        Models = new(modelFlag) { Description = $"Model name the {EndpointFlag} serves{perEndpoint}.", Arity = ArgumentArity.ZeroOrMore };
        Kinds = new(KindFlag)
        {
            Description = $"Protocol of the {EndpointFlag}: openai or ollama (default openai){perEndpoint}.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        Kinds.AcceptOnlyFromAmong(KindNames);
        ApiKeyEnvironmentVariables = new(ApiKeyFlag)
        {
            Description = $"Name of the environment variable holding the API key, e.g. OPENAI_API_KEY{perEndpoint}. The key itself is never written anywhere.",
            Arity = ArgumentArity.ZeroOrMore,
        };
    }

    /// <summary>The accepted <c>--kind</c> values.</summary>
    public static readonly string[] KindNames = ["openai", "ollama"];

    private readonly bool _repeatable;

    /// <summary>The model-name flag's name.</summary>
    public string ModelFlag { get; }

    /// <summary>The endpoint flag's name (<c>--endpoint</c> without a prefix).</summary>
    public string EndpointFlag { get; }

    /// <summary>The protocol flag's name (<c>--kind</c> without a prefix).</summary>
    public string KindFlag { get; }

    /// <summary>The key-variable flag's name (<c>--api-key-env</c> without a prefix).</summary>
    public string ApiKeyFlag { get; }

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
            throw new ArgumentException($"Give at least one {EndpointFlag}.");
        if (models.Count == 0)
            throw new ArgumentException(_repeatable
                ? $"Give {ModelFlag} (once for all endpoints, or once per {EndpointFlag})."
                : $"Give {ModelFlag}: the model the {EndpointFlag} serves.");
        CheckCount(ModelFlag, models.Count, endpoints.Count, optional: false);
        CheckCount(KindFlag, kinds.Count, endpoints.Count, optional: true);
        CheckCount(ApiKeyFlag, keyVariables.Count, endpoints.Count, optional: true);

        var settings = new List<LlmClientSettings>();
        for (int i = 0; i < endpoints.Count; i++)
        {
            if (!Uri.TryCreate(endpoints[i], UriKind.Absolute, out Uri? endpoint))
                throw new ArgumentException($"{EndpointFlag} '{endpoints[i]}' is not an absolute URL.");
            if (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)
                throw new ArgumentException($"{EndpointFlag} '{endpoints[i]}' is not an http(s) URL.");
            string kind = Pick(kinds, i) ?? "openai";
            if (!KindNames.Contains(kind, StringComparer.Ordinal))
                throw new ArgumentException($"{KindFlag} '{kind}' is not one of {string.Join(", ", KindNames)}.");
            string model = Pick(models, i)!;
            if (string.IsNullOrWhiteSpace(model))
                throw new ArgumentException($"{ModelFlag} is empty: name the model the {EndpointFlag} serves.");
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

    private void CheckCount(string option, int given, int endpoints, bool optional)
    {
        if ((optional && given == 0) || given == 1 || given == endpoints)
            return;
        throw new ArgumentException(
            $"{option} was given {given} times for {endpoints} {EndpointFlag} value(s); give it once (for all endpoints) or once per {EndpointFlag}.");
    }

    private static string? Pick(IReadOnlyList<string> values, int index) => values.Count switch
    {
        0 => null,
        1 => values[0],
        _ => values[index],
    };
}
