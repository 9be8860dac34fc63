using Paft.Llama;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Paft.Cli.Commands;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Project;

/// <summary>
/// A <c>NAME.paftconfig</c> project file (docs/file-formats.md): what <c>paft init</c> writes and <c>paft train --config</c>
/// replays. Its <c>train</c> section holds exactly the settings of <c>paft train</c> (the keys of <c>--print-config</c>),
/// read by the same record the flags fill, so a project trains what the same flags train; the last run's outcome is
/// written back under <c>lastRun</c>.
/// </summary>
internal sealed record PaftProjectFile
{
    /// <summary>The value of <c>format</c>, which marks a project file.</summary>
    public const string FormatName = "paftconfig";

    /// <summary>The version this paft writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The project file's extension.</summary>
    public const string Extension = ".paftconfig";

    // paft train's own JSON settings, with the keys a project leaves out (nulls) not written.
    private static readonly JsonSerializerOptions Json = new(TrainCommandConfig.Json)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // The file is read by people: "+00:00" and paths as typed, not \u002B escapes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string? Format { get; init; }
    public int? Version { get; init; }
    public string? Name { get; init; }
    public PaftProjectColumns? Columns { get; init; }
    public TrainCommandConfig? Train { get; init; }
    public PaftProjectEvaluation? Evaluation { get; init; }
    public PaftRunOutcome? LastRun { get; init; }

    /// <summary>Where the file was read from (not a key).</summary>
    [JsonIgnore]
    public string Path { get; private init; } = "";

    /// <summary>The training settings, paths made absolute (relative paths in the file are relative to it).</summary>
    [JsonIgnore]
    public TrainCommandConfig Settings => Train!.RelativeTo(Folder);

    /// <summary>The folder of the file.</summary>
    [JsonIgnore]
    public string Folder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;

    /// <summary>Whether <paramref name="path"/> is a project file: its extension, or a <c>format</c> key that says so.</summary>
    public static bool IsProjectFile(string path)
    {
        if (path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase))
            return true;
        if (!File.Exists(path))
            return false;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
                is JsonObject root && root["format"] is JsonValue format && format.TryGetValue(out string? name) && name == FormatName;
        }
        catch (JsonException)
        {
            return false; // the flat-settings reader names the problem
        }
    }

    /// <summary>
    /// The settings of a <c>--config</c> file: a project file's <c>train</c> section (<paramref name="project"/> set), or a
    /// flat settings file (<paramref name="project"/> null).
    /// </summary>
    public static TrainCommandConfig LoadSettings(string path, out PaftProjectFile? project)
    {
        project = IsProjectFile(path) ? Load(path) : null;
        return project?.Settings ?? TrainCommandConfig.Load(path);
    }

    /// <summary>
    /// Reads and checks a project file. An unknown key, a value of the wrong type, a missing key, a file it names that
    /// does not exist, or columns that differ from the task's throw one line naming the file and the key.
    /// </summary>
    public static PaftProjectFile Load(string path)
    {
        if (!File.Exists(path))
            throw new CommandInputException($"--config: '{path}' does not exist.");
        PaftProjectFile project;
        try
        {
            project = (JsonSerializer.Deserialize<PaftProjectFile>(File.ReadAllText(path), Json)
                ?? throw new CommandInputException($"--config: '{path}' holds null instead of an object.")) with { Path = System.IO.Path.GetFullPath(path) };
        }
        catch (JsonException e)
        {
            throw new CommandInputException($"--config: '{path}': {Describe(e)}", e);
        }
        project.Check();
        return project;
    }

    /// <summary>Writes a new project file for <paramref name="settings"/> (absolute paths; written relative to the file).</summary>
    public static PaftProjectFile Create(string path, string name, TrainCommandConfig settings, TaskDefinition task, PaftProjectEvaluation? evaluation)
    {
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        // Files under the project's folder are written relative to it, so the folder can move; others stay absolute.
        string? Relative(string? p)
        {
            if (p is null)
                return null;
            string relative = System.IO.Path.GetRelativePath(folder, System.IO.Path.GetFullPath(p));
            return relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative) ? System.IO.Path.GetFullPath(p) : relative;
        }
        var project = new PaftProjectFile
        {
            Format = FormatName,
            Version = CurrentVersion,
            Name = name,
            Columns = PaftProjectColumns.Of(task),
            Train = settings with
            {
                Model = Relative(settings.Model),
                TaskDef = Relative(settings.TaskDef),
                Data = Relative(settings.Data),
                Prompts = Relative(settings.Prompts),
                Validation = Relative(settings.Validation),
                CheckpointDir = Relative(settings.CheckpointDir),
                Out = Relative(settings.Out),
            },
            Evaluation = evaluation is null ? null : new PaftProjectEvaluation { Data = Relative(evaluation.Data), Prompts = Relative(evaluation.Prompts) },
            Path = System.IO.Path.GetFullPath(path),
        };
        project.Write(JsonSerializer.SerializeToNode(project, Json)!.AsObject());
        return project;
    }

    /// <summary>
    /// Runs <paramref name="train"/> (the training of <paramref name="settings"/>) and, when it succeeds and the settings
    /// came from a project, writes its outcome back into the project file.
    /// </summary>
    public static int RunAndRecord(PaftProjectFile? project, TrainCommandConfig settings, TextWriter output, Func<int> train)
    {
        var clock = Stopwatch.StartNew();
        int exit = train();
        if (exit != CommandExit.Success || project is null)
            return exit;
        PaftRunOutcome outcome = project.Record(settings, clock.Elapsed);
        output.WriteLine($"Recorded the run in '{project.Path}' (lastRun: {outcome.Steps} steps, final loss {outcome.FinalLoss:F4}, paft {outcome.PaftVersion}).");
        if (project.Evaluation is { Data: { } data, Prompts: { } prompts })
            output.WriteLine($"Evaluate it on the project's test split with: paft eval --model {System.IO.Path.GetFullPath(settings.Out!)} " +
                $"{TrainCommandInputs.TaskFlag(TrainCommandInputs.Task(settings.Task, settings.TaskDef), settings.TaskDef)} " +
                $"--data {project.Full(data)} --prompts {project.Full(prompts)} --out FILE.json");
        return exit;
    }

    /// <summary>Writes the outcome of a finished run into the file under <c>lastRun</c>, keeping every other key as it is.</summary>
    public PaftRunOutcome Record(TrainCommandConfig settings, TimeSpan elapsed)
    {
        string modelFolder = System.IO.Path.GetFullPath(settings.Out!);
        IReadOnlyList<TrainingLogEntry> log = TrainingLog.Load(System.IO.Path.Combine(modelFolder, TrainingLog.FileName)).Entries;
        string adapter = System.IO.Path.Combine(modelFolder, "adapter_model.safetensors");
        var outcome = new PaftRunOutcome(
            System.IO.Path.GetRelativePath(Folder, modelFolder),
            DateTimeOffset.UtcNow,
            Math.Round(elapsed.TotalSeconds, 1),
            PaftVersion.Current,
            log.Count == 0 ? 0 : log[^1].Step,
            log.Count == 0 ? double.NaN : log[^1].Loss,
            log.LastOrDefault(e => e.ValidationAccuracy is not null)?.ValidationAccuracy,
            File.Exists(adapter) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(adapter))) : null);
        JsonObject root = JsonNode.Parse(File.ReadAllText(Path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        root["lastRun"] = JsonSerializer.SerializeToNode(outcome, Json);
        Write(root);
        return outcome;
    }

    private void Write(JsonObject root)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(root.ToJsonString(Json) + "\n");
        AtomicFile.Write(Path, stream => stream.Write(bytes));
    }

    private string Full(string path) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Folder, path));

    private void Check()
    {
        if (Format != FormatName)
            Fail("format", $"must be \"{FormatName}\" (got {(Format is null ? "nothing" : $"\"{Format}\"")})");
        if (Version is null)
            Fail("version", "is missing");
        if (Version > CurrentVersion)
            Fail("version", $"is {Version}: the file was written by a newer paft; this one reads version {CurrentVersion}");
        if (Version < 1)
            Fail("version", $"must be {CurrentVersion} (got {Version})");
        if (string.IsNullOrWhiteSpace(Name))
            Fail("name", "is missing");
        if (Train is null)
            Fail("train", "is missing: it holds the settings of paft train");
        TrainCommandConfig settings = Settings;
        RequireFolder(settings.Model, "train.model");
        RequireFile(settings.TaskDef, "train.taskDef");
        RequireFile(settings.Data, "train.data");
        RequireFile(settings.Prompts, "train.prompts");
        RequireFile(settings.Validation, "train.validation");
        RequireFile(Evaluation?.Data is { } data ? Full(data) : null, "evaluation.data");
        RequireFile(Evaluation?.Prompts is { } prompts ? Full(prompts) : null, "evaluation.prompts");
        if (Columns is not null && (settings.Task is not null || settings.TaskDef is not null) && !(settings.Task is not null && settings.TaskDef is not null)
            && Columns.FirstDifference(TrainCommandInputs.Task(settings.Task, settings.TaskDef)) is { } key)
            Fail($"columns.{key}", "differs from the task's; correct it, or delete 'columns' and let paft init write it again");
    }

    private void RequireFile(string? path, string key)
    {
        if (path is not null && !File.Exists(path) && !Directory.Exists(path))
            Fail(key, $"'{path}' does not exist");
    }

    private void RequireFolder(string? path, string key)
    {
        if (path is not null && !Directory.Exists(path))
            Fail(key, $"'{path}' is not a folder");
    }

    private void Fail(string key, string problem) => throw new CommandInputException($"--config: '{Path}': key '{key}' {problem}.");

    /// <summary>The key a deserialisation error is about and what is wrong with it, in one line.</summary>
    private static string Describe(JsonException e)
    {
        string key = (e.Path ?? "$").TrimStart('$').TrimStart('.');
        Match unmapped = Regex.Match(e.Message, "property '([^']+)' could not be mapped");
        if (unmapped.Success)
        {
            string name = unmapped.Groups[1].Value;
            string full = key.EndsWith(name, StringComparison.Ordinal) ? key : key.Length == 0 ? name : $"{key}.{name}";
            return $"key '{full}' is not a key of this format (docs/file-formats.md lists them).";
        }
        Match converted = Regex.Match(e.Message, @"could not be converted to ([^.\s]+(?:\.[^.\s]+)*?)(?:\. |\.$| Path)");
        if (converted.Success && key.Length > 0)
            return $"key '{key}' has a value of the wrong type (expected {Expected(converted.Groups[1].Value)}).";
        return key.Length > 0 ? $"key '{key}': {e.Message.Split(" Path:")[0]}" : e.Message;
    }

    private static string Expected(string clrType) =>
        clrType.Contains("Int32", StringComparison.Ordinal) ? "an integer"
        : clrType.Contains("Double", StringComparison.Ordinal) ? "a number"
        : clrType.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
        : clrType.Contains("IReadOnlyList", StringComparison.Ordinal) ? "an array"
        : clrType.Contains("String", StringComparison.Ordinal) ? "a string"
        : "an object";
}
