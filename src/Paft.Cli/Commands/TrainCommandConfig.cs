using System.Text.Json;
using System.Text.Json.Serialization;
using Paft.Cli.Terminal;
using Paft.Llama.Lora;
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
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string? Model { get; init; }
    public string? Task { get; init; }
    public string? Data { get; init; }
    public string? Prompts { get; init; }
    public bool? EscapedNewlines { get; init; }
    public string? TemplateId { get; init; }
    public bool? TopAccuracy { get; init; }
    public bool? Zopo { get; init; }
    public int? ZopoBudget { get; init; }
    public bool? Batprompt { get; init; }
    public string? Validation { get; init; }
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
    public string? Mode { get; init; }
    public string? Out { get; init; }

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
        Data = overrides.Data ?? Data,
        Prompts = overrides.Prompts ?? Prompts,
        EscapedNewlines = overrides.EscapedNewlines ?? EscapedNewlines,
        TemplateId = overrides.TemplateId ?? TemplateId,
        TopAccuracy = overrides.TopAccuracy ?? TopAccuracy,
        Zopo = overrides.Zopo ?? Zopo,
        ZopoBudget = overrides.ZopoBudget ?? ZopoBudget,
        Batprompt = overrides.Batprompt ?? Batprompt,
        Validation = overrides.Validation ?? Validation,
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
        Mode = overrides.Mode ?? Mode,
        Out = overrides.Out ?? Out,
    };

    /// <summary>
    /// Every unset training setting filled with the trainer's documented default (the PAFT paper's), and the
    /// checkpoint folder defaulting to <c>&lt;out&gt;-checkpoints</c> beside the output. The ZOPO budget is
    /// filled only when <c>--zopo</c> is on, so that a budget given without it is still seen as a mistake.
    /// </summary>
    public TrainCommandConfig WithDefaults()
    {
        var trainer = new PaftTrainerOptions();
        var lora = new LoraConfig();
        return this with
        {
            EscapedNewlines = EscapedNewlines ?? false,
            TopAccuracy = TopAccuracy ?? false,
            Zopo = Zopo ?? false,
            ZopoBudget = ZopoBudget ?? (Zopo == true ? new ZopoOptions().Budget : null),
            Batprompt = Batprompt ?? false,
            Epochs = Epochs ?? trainer.Epochs,
            Lr = Lr ?? trainer.LearningRate,
            K = K ?? trainer.TemplateGroupSize,
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
            Mode = Mode ?? TrainCommandInputs.ModeName(trainer.Scoring),
        };
    }

    /// <summary>Checks that the settings a run needs are there and agree; the message names the flag and the config key.</summary>
    public void Validate()
    {
        Require(Model, "--model", "model");
        Require(Task, "--task", "task");
        Require(Data, "--data", "data");
        Require(Prompts, "--prompts", "prompts");
        Require(Out, "--out", "out");
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
        if (ZopoBudget is not null && Zopo != true)
            throw new CommandInputException("--zopo-budget (config key 'zopoBudget') applies to --zopo only.");
        if (ZopoBudget is < 1)
            throw new CommandInputException($"--zopo-budget must be at least 1 (got {ZopoBudget}).");
        if (LoraTargets is { Count: 0 })
            throw new CommandInputException("--lora-targets is empty: name at least one module, e.g. q_proj,v_proj.");
    }

    /// <summary>The effective settings as the JSON a <c>--config</c> file holds.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private TrainCommandConfig RelativeTo(string folder)
    {
        string? Full(string? path) => path is null ? null : Path.GetFullPath(Path.Combine(folder, path));
        return this with
        {
            Model = Full(Model),
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
