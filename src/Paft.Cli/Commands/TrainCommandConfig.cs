using System.Text.Json;
using System.Text.Json.Serialization;
using Paft.Cli.Terminal;
using Paft.Llama.Lora;
using Paft.MLNet;
using Paft.MLNet.Connectors;
using Paft.MLNet.Perturbation;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Selection;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>
/// The settings of <c>paft train</c>, as flags or as a JSON file given with <c>--config</c>. The file's keys
/// are the flags' names in camelCase (<c>--batch-size</c> is <c>batchSize</c>, <c>--lora-targets</c> is an array
/// <c>loraTargets</c>); a flag given on the command line overrides the file; relative paths in the file are
/// relative to the file. <c>paft train --print-config</c> writes the effective settings in this format.
/// </summary>
internal sealed record TrainCommandConfig
{
    /// <summary>How the settings read and write as JSON; a project file's <c>train</c> section is read the same way.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string? Model { get; init; }
    public string? Task { get; init; }
    public string? TaskDef { get; init; }
    public string? Data { get; init; }
    public string? Prompts { get; init; }
    public bool? EscapedNewlines { get; init; }
    public string? TemplateId { get; init; }
    public bool? TopAccuracy { get; init; }
    public bool? Zopo { get; init; }
    public int? ZopoBudget { get; init; }
    public bool? Batprompt { get; init; }
    public string? Validation { get; init; }
    public string? Endpoint { get; init; }
    public string? LlmModel { get; init; }
    public string? Kind { get; init; }
    public string? ApiKeyEnv { get; init; }
    public int? BatpromptRounds { get; init; }
    public string? BatpromptRewrite { get; init; }
    public string? EmbeddingEndpoint { get; init; }
    public string? EmbeddingModel { get; init; }
    public string? EmbeddingKind { get; init; }
    public string? EmbeddingApiKeyEnv { get; init; }
    public double? Timeout { get; init; }
    public string? Recipe { get; init; }
    public string? AnswerTarget { get; init; }
    public int? Epochs { get; init; }
    public double? Lr { get; init; }
    public int? K { get; init; }
    public int? BatchSize { get; init; }
    public int? GradAccum { get; init; }
    public int? MaxLength { get; init; }
    public int? LoraR { get; init; }
    public double? LoraAlpha { get; init; }
    public IReadOnlyList<string>? LoraTargets { get; init; }
    public int? Seed { get; init; }
    public string? CheckpointDir { get; init; }
    public int? CheckpointEvery { get; init; }
    public bool? Resume { get; init; }
    public int? Limit { get; init; }
    public string? Dtype { get; init; }
    public bool? GradientCheckpointing { get; init; }
    public string? Mode { get; init; }
    public string? Out { get; init; }

    /// <summary>The template the selector chose, written after training for the record; never read as a setting.</summary>
    public TrainChosenTemplate? ChosenTemplate { get; init; }

    /// <summary>The <c>--batprompt-rewrite</c> values and the rewrites they ask the LLM for.</summary>
    public static readonly IReadOnlyList<(string Name, ChatRewriteKind Kind)> Rewrites =
    [
        ("synonym", ChatRewriteKind.Synonyms),
        ("paraphrase", ChatRewriteKind.Paraphrase),
    ];

    /// <summary>The model-name flag of the LLM (<c>--model</c> is the base model here).</summary>
    public const string LlmModelFlag = "--llm-model";

    private static readonly LlmEndpointOptions LlmFlags = new(LlmModelFlag, repeatable: false);

    /// <summary>The model-name flag of <c>--zopo</c>'s embedding model.</summary>
    public const string EmbeddingModelFlag = "--embedding-model";

    /// <summary>What the <c>--embedding-*</c> flags' names start with after the dashes.</summary>
    public const string EmbeddingFlagPrefix = "embedding-";

    private static readonly LlmEndpointOptions EmbeddingFlags = new(EmbeddingModelFlag, repeatable: false, flagPrefix: EmbeddingFlagPrefix);

    /// <summary>Reads a config file; an unknown key or a value of the wrong type throws naming the file and the key.</summary>
    public static TrainCommandConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new CommandInputException($"--config: '{path}' does not exist.");
        TrainCommandConfig config;
        try
        {
            config = JsonSerializer.Deserialize<TrainCommandConfig>(File.ReadAllText(path), Json)
                ?? throw new CommandInputException($"--config: '{path}' holds null instead of an object.");
        }
        catch (JsonException e)
        {
            throw new CommandInputException($"--config: '{path}': {e.Message}", e);
        }
        return config.RelativeTo(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>These settings with every setting <paramref name="overrides"/> gives replaced by its value.</summary>
    public TrainCommandConfig OverriddenBy(TrainCommandConfig overrides) => new()
    {
        Model = overrides.Model ?? Model,
        Task = overrides.Task ?? Task,
        TaskDef = overrides.TaskDef ?? TaskDef,
        Data = overrides.Data ?? Data,
        Prompts = overrides.Prompts ?? Prompts,
        EscapedNewlines = overrides.EscapedNewlines ?? EscapedNewlines,
        TemplateId = overrides.TemplateId ?? TemplateId,
        TopAccuracy = overrides.TopAccuracy ?? TopAccuracy,
        Zopo = overrides.Zopo ?? Zopo,
        ZopoBudget = overrides.ZopoBudget ?? ZopoBudget,
        Batprompt = overrides.Batprompt ?? Batprompt,
        Validation = overrides.Validation ?? Validation,
        Endpoint = overrides.Endpoint ?? Endpoint,
        LlmModel = overrides.LlmModel ?? LlmModel,
        Kind = overrides.Kind ?? Kind,
        ApiKeyEnv = overrides.ApiKeyEnv ?? ApiKeyEnv,
        BatpromptRounds = overrides.BatpromptRounds ?? BatpromptRounds,
        BatpromptRewrite = overrides.BatpromptRewrite ?? BatpromptRewrite,
        EmbeddingEndpoint = overrides.EmbeddingEndpoint ?? EmbeddingEndpoint,
        EmbeddingModel = overrides.EmbeddingModel ?? EmbeddingModel,
        EmbeddingKind = overrides.EmbeddingKind ?? EmbeddingKind,
        EmbeddingApiKeyEnv = overrides.EmbeddingApiKeyEnv ?? EmbeddingApiKeyEnv,
        Timeout = overrides.Timeout ?? Timeout,
        Recipe = overrides.Recipe ?? Recipe,
        AnswerTarget = overrides.AnswerTarget ?? AnswerTarget,
        Epochs = overrides.Epochs ?? Epochs,
        Lr = overrides.Lr ?? Lr,
        K = overrides.K ?? K,
        BatchSize = overrides.BatchSize ?? BatchSize,
        GradAccum = overrides.GradAccum ?? GradAccum,
        MaxLength = overrides.MaxLength ?? MaxLength,
        LoraR = overrides.LoraR ?? LoraR,
        LoraAlpha = overrides.LoraAlpha ?? LoraAlpha,
        LoraTargets = overrides.LoraTargets ?? LoraTargets,
        Seed = overrides.Seed ?? Seed,
        CheckpointDir = overrides.CheckpointDir ?? CheckpointDir,
        CheckpointEvery = overrides.CheckpointEvery ?? CheckpointEvery,
        Resume = overrides.Resume ?? Resume,
        Limit = overrides.Limit ?? Limit,
        Dtype = overrides.Dtype ?? Dtype,
        GradientCheckpointing = overrides.GradientCheckpointing ?? GradientCheckpointing,
        Mode = overrides.Mode ?? Mode,
        Out = overrides.Out ?? Out,
    };

    /// <summary>
    /// Every unset training setting filled from the recipe (<c>--recipe</c>, default <c>paper</c>: the trainer's documented
    /// defaults, the PAFT paper's; <c>small-model</c>: <see cref="PaftRecipes.SmallModel"/>), and the
    /// checkpoint folder defaulting to <c>&lt;out&gt;-checkpoints</c> beside the output. The ZOPO budget is
    /// filled only when <c>--zopo</c> is on, and the BATprompt rounds only with an <c>--endpoint</c>, so that either given
    /// without what it applies to is still seen as a mistake. <see cref="ChosenTemplate"/> is dropped: it is a result.
    /// </summary>
    public TrainCommandConfig WithDefaults()
    {
        string recipe = Recipe ?? TrainCommandInputs.RecipeName(PaftRecipe.Paper);
        PaftTrainerOptions trainer = PaftRecipes.Create(TrainCommandInputs.Recipe(recipe, "--recipe"));
        LoraConfig lora = trainer.Lora;
        return this with
        {
            Recipe = recipe,
            AnswerTarget = AnswerTarget ?? TrainCommandInputs.AnswerTargetName(trainer.AnswerTarget),
            EscapedNewlines = EscapedNewlines ?? false,
            TopAccuracy = TopAccuracy ?? false,
            Zopo = Zopo ?? false,
            ZopoBudget = ZopoBudget ?? (Zopo == true ? new ZopoOptions().Budget : null),
            Batprompt = Batprompt ?? false,
            BatpromptRounds = BatpromptRounds ?? (Endpoint is not null ? new BatpromptOptions().Rounds : null),
            Timeout = Timeout ?? (Endpoint is not null || EmbeddingEndpoint is not null ? LlmRequestTimeout.DefaultSeconds : null),
            ChosenTemplate = null,
            Epochs = Epochs ?? trainer.Epochs,
            Lr = Lr ?? trainer.LearningRate,
            K = K ?? trainer.RedrawEverySteps,
            BatchSize = BatchSize ?? trainer.BatchSize,
            GradAccum = GradAccum ?? trainer.GradientAccumulationSteps,
            MaxLength = MaxLength ?? trainer.MaxLength,
            LoraR = LoraR ?? lora.Rank,
            LoraAlpha = LoraAlpha ?? lora.Alpha,
            LoraTargets = LoraTargets ?? lora.TargetModules,
            Seed = Seed ?? trainer.Seed,
            CheckpointDir = CheckpointDir ?? (Out is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(Out)) + "-checkpoints"),
            CheckpointEvery = CheckpointEvery ?? trainer.CheckpointEvery,
            Resume = Resume ?? false,
            Dtype = Dtype ?? "fp32",
            GradientCheckpointing = GradientCheckpointing ?? false,
            Mode = Mode ?? TrainCommandInputs.ModeName(trainer.Scoring),
        };
    }

    /// <summary>Checks that the settings a run needs are there and agree; the message names the flag and the config key.</summary>
    public void Validate()
    {
        Require(Model, "--model", "model");
        if (Task is null && TaskDef is null)
            throw new CommandInputException("--task or --task-def is required (or 'task' or 'taskDef' in the --config file).");
        if (Task is not null && TaskDef is not null)
            throw new CommandInputException(
                $"--task '{Task}' and --task-def '{TaskDef}' (config keys 'task', 'taskDef') both name the task; give one of them.");
        Require(Data, "--data", "data");
        Require(Prompts, "--prompts", "prompts");
        Require(Out, "--out", "out");
        if (AnswerTarget is not null)
            TrainCommandInputs.AnswerTarget(AnswerTarget, "--answer-target");
        string[] choosers = new (bool Given, string Flag)[]
        {
            (TemplateId is not null, "--template-id"), (TopAccuracy == true, "--top-accuracy"), (Zopo == true, "--zopo"), (Batprompt == true, "--batprompt"),
        }.Where(c => c.Given).Select(c => c.Flag).ToArray();
        if (choosers.Length > 1)
            throw new CommandInputException(
                $"{string.Join(", ", choosers[..^1])} and {choosers[^1]} {(choosers.Length == 2 ? "both" : "all")} choose the SFT template; give one of them.");
        if (TopAccuracy == true && Validation is null)
            throw new CommandInputException("--top-accuracy needs --validation FILE: the rows on which the base model's accuracy picks the template.");
        if (Zopo == true && Validation is null)
            throw new CommandInputException("--zopo needs --validation FILE: the rows on which the base model's accuracy guides the search.");
        if (Batprompt == true && Validation is null)
            throw new CommandInputException("--batprompt needs --validation FILE: the rows, clean and perturbed, on which the base model scores each template.");
        ValidateLlm();
        ValidateEmbedding();
        if (Timeout is { } seconds)
        {
            if (Endpoint is null && EmbeddingEndpoint is null)
                throw new CommandInputException(
                    $"{LlmRequestTimeout.Flag} (config key 'timeout') needs --endpoint or {EmbeddingFlags.EndpointFlag} URL: the server whose replies it bounds.");
            LlmRequestTimeout.Of(seconds);
        }
        if (ZopoBudget is not null && Zopo != true)
            throw new CommandInputException("--zopo-budget (config key 'zopoBudget') applies to --zopo only.");
        if (ZopoBudget is < 1)
            throw new CommandInputException($"--zopo-budget must be at least 1 (got {ZopoBudget}).");
        if (Dtype is not (null or "fp32" or "bf16"))
            throw new CommandInputException($"--dtype (config key 'dtype') must be fp32 or bf16 (got '{Dtype}').");
        if (LoraTargets is { Count: 0 })
            throw new CommandInputException("--lora-targets is empty: name at least one module, e.g. q_proj,v_proj.");
    }

    /// <summary>The LLM of <c>--batprompt</c>'s rounds, or null when no <c>--endpoint</c> is set.</summary>
    /// <exception cref="ArgumentException">The endpoint is not an http(s) URL, the model is missing, or the kind is unknown.</exception>
    public LlmClientSettings? LlmSettings() => Endpoint is null ? null : WithTimeout(LlmFlags.ClientSettings([Endpoint], LlmModel is null ? [] : [LlmModel],
        Kind is null ? [] : [Kind], ApiKeyEnv is null ? [] : [ApiKeyEnv])[0]);

    /// <summary>The embedding model of <c>--zopo</c>, or null when no <c>--embedding-endpoint</c> is set (the base model's hidden states).</summary>
    /// <exception cref="ArgumentException">The endpoint is not an http(s) URL, the model is missing, or the kind is unknown.</exception>
    public LlmClientSettings? EmbeddingSettings() => EmbeddingEndpoint is null ? null : WithTimeout(EmbeddingFlags.ClientSettings([EmbeddingEndpoint],
        EmbeddingModel is null ? [] : [EmbeddingModel], EmbeddingKind is null ? [] : [EmbeddingKind], EmbeddingApiKeyEnv is null ? [] : [EmbeddingApiKeyEnv])[0]);

    /// <summary>The client settings with <c>--timeout</c> (config key <c>timeout</c>), when one is set.</summary>
    private LlmClientSettings WithTimeout(LlmClientSettings settings)
    {
        if (Timeout is { } seconds)
            settings.RequestTimeout = LlmRequestTimeout.Of(seconds);
        return settings;
    }

    /// <summary>The rewrite <c>--batprompt-rewrite</c> names, or null.</summary>
    public ChatRewriteKind? RewriteKind() => BatpromptRewrite is null ? null
        : Rewrites.FirstOrDefault(r => string.Equals(r.Name, BatpromptRewrite, StringComparison.OrdinalIgnoreCase)) is { Name: not null } found
            ? found.Kind
            : throw new CommandInputException(
                $"--batprompt-rewrite '{BatpromptRewrite}' is not a rewrite; use one of {string.Join(", ", Rewrites.Select(r => r.Name))}.");

    /// <summary>The LLM settings apply to <c>--batprompt</c> only, and all but the endpoint need one.</summary>
    private void ValidateLlm()
    {
        (string Flag, string Key, bool Given)[] llm =
        [
            ("--endpoint", "endpoint", Endpoint is not null), (LlmModelFlag, "llmModel", LlmModel is not null), ("--kind", "kind", Kind is not null),
            ("--api-key-env", "apiKeyEnv", ApiKeyEnv is not null), ("--batprompt-rounds", "batpromptRounds", BatpromptRounds is not null),
            ("--batprompt-rewrite", "batpromptRewrite", BatpromptRewrite is not null),
        ];
        if (Batprompt != true && llm.FirstOrDefault(f => f.Given) is { Flag: not null } stray)
            throw new CommandInputException(
                $"{stray.Flag} (config key '{stray.Key}') applies to --batprompt only: the LLM writes improved templates in BATprompt's rounds.");
        if (BatpromptRewrite is not null && Endpoint is null)
            throw new CommandInputException(
                "--batprompt-rewrite needs --endpoint URL (and --llm-model NAME): the LLM rewrites the validation inputs before the noise.");
        if (Endpoint is null && llm.FirstOrDefault(f => f.Given) is { Flag: not null } orphan)
            throw new CommandInputException($"{orphan.Flag} (config key '{orphan.Key}') needs --endpoint URL: the LLM it configures.");
        if (BatpromptRounds is < 0)
            throw new CommandInputException($"--batprompt-rounds must be 0 or more (got {BatpromptRounds}).");
        RewriteKind();
        LlmSettings();
    }

    /// <summary>The embedding-model settings apply to <c>--zopo</c> only, and all but the endpoint need one.</summary>
    private void ValidateEmbedding()
    {
        (string Flag, string Key, bool Given)[] embedding =
        [
            (EmbeddingFlags.EndpointFlag, "embeddingEndpoint", EmbeddingEndpoint is not null), (EmbeddingModelFlag, "embeddingModel", EmbeddingModel is not null),
            (EmbeddingFlags.KindFlag, "embeddingKind", EmbeddingKind is not null), (EmbeddingFlags.ApiKeyFlag, "embeddingApiKeyEnv", EmbeddingApiKeyEnv is not null),
        ];
        if (Zopo != true && embedding.FirstOrDefault(f => f.Given) is { Flag: not null } stray)
            throw new CommandInputException(
                $"{stray.Flag} (config key '{stray.Key}') applies to --zopo only: the embedding model places the templates for ZOPO's search.");
        if (EmbeddingEndpoint is null && embedding.FirstOrDefault(f => f.Given) is { Flag: not null } orphan)
            throw new CommandInputException($"{orphan.Flag} (config key '{orphan.Key}') needs {EmbeddingFlags.EndpointFlag} URL: the embedding model it configures.");
        EmbeddingSettings();
    }

    /// <summary>The effective settings as the JSON a <c>--config</c> file holds.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    internal TrainCommandConfig RelativeTo(string folder)
    {
        string? Full(string? path) => path is null ? null : Path.GetFullPath(Path.Combine(folder, path));
        return this with
        {
            Model = Full(Model),
            TaskDef = Full(TaskDef),
            Data = Full(Data),
            Prompts = Full(Prompts),
            Validation = Full(Validation),
            CheckpointDir = Full(CheckpointDir),
            Out = Full(Out),
        };
    }

    private static void Require(string? value, string flag, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new CommandInputException($"{flag} is required (or '{key}' in the --config file).");
    }
}
