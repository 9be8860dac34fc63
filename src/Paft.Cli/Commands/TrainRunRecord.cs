using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paft.Cli.Terminal;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Commands;

/// <summary>
/// What shapes a training run, kept beside its checkpoints as <c>paft_run.json</c>: every training setting and the
/// SHA-256 of the data, pool and validation files. <c>--resume</c> compares it with the new command and refuses a
/// difference naming the setting, so that a checkpoint never continues under another learning rate, other data or
/// another pool (the trainer itself can only compare row counts). It also marks the checkpoint folder as one run's.
/// </summary>
internal sealed class TrainRunRecord
{
    public const string FileName = "paft_run.json";

    // Settings that say where to write or how to get there, not what is trained.
    private static readonly HashSet<string> NotShaping = new(StringComparer.Ordinal)
    {
        "resume", "out", "checkpointDir", "checkpointEvery", "chosenTemplate", "force", "timeout",
    };

    private static readonly string[] PathSettings = ["model", "data", "prompts", "validation"];

    private static readonly string[] HashedFiles = ["data", "prompts", "validation"];

    private readonly SortedDictionary<string, string> _settings;
    private readonly SortedDictionary<string, string> _files;

    private TrainRunRecord(SortedDictionary<string, string> settings, SortedDictionary<string, string> files)
    {
        _settings = settings;
        _files = files;
    }

    /// <summary>The record of the run these (defaulted) settings describe; hashes the input files.</summary>
    public static TrainRunRecord Of(TrainCommandConfig settings)
    {
        JsonObject json = JsonNode.Parse(settings.ToJson())!.AsObject();
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, JsonNode? value) in json)
        {
            if (NotShaping.Contains(key) || value is null)
                continue;
            string text = value is JsonValue v && v.TryGetValue(out string? s) ? s : value.ToJsonString();
            values[key] = PathSettings.Contains(key) ? Path.GetFullPath(text) : text;
        }
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string key in HashedFiles)
            if (values.TryGetValue(key, out string? path))
                files[key] = Hash(path);
        return new TrainRunRecord(values, files);
    }

    /// <summary>Reads a record; null when the folder has none (a run of an earlier paft).</summary>
    public static TrainRunRecord? Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
            return null;
        try
        {
            JsonObject json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
            return new TrainRunRecord(Read(json["settings"]), Read(json["files"]));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a run record written by paft train ({e.Message}).", e);
        }

        static SortedDictionary<string, string> Read(JsonNode? node) =>
            new((node as JsonObject ?? throw new JsonException("'settings' and 'files' must be objects"))
                .ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? throw new JsonException($"'{p.Key}' is null")), StringComparer.Ordinal);
    }

    /// <summary>Writes the record into <paramref name="folder"/> atomically.</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var json = new JsonObject
        {
            ["settings"] = new JsonObject(_settings.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["files"] = new JsonObject(_files.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        };
        byte[] bytes = new UTF8Encoding(false).GetBytes(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.Write(Path.Combine(folder, FileName), stream => stream.Write(bytes));
    }

    /// <summary>
    /// Throws naming the first setting or file in which <paramref name="current"/> differs from this record (the checkpoints' run).
    /// </summary>
    /// <exception cref="CommandInputException">The runs differ.</exception>
    public void RequireSameRun(TrainRunRecord current, string checkpointFolder)
    {
        const string Advice = "Resume with the same settings, or start over without --resume (with --force to discard the checkpoints).";
        foreach (string key in _settings.Keys.Union(current._settings.Keys).Order(StringComparer.Ordinal))
        {
            string? was = _settings.GetValueOrDefault(key);
            string? now = current._settings.GetValueOrDefault(key);
            if (!string.Equals(was, now, StringComparison.Ordinal))
                throw new CommandInputException(
                    $"--resume: the checkpoints in '{checkpointFolder}' were written with {Flag(key)} {was ?? "(not given)"}, " +
                    $"this command has {Flag(key)} {now ?? "(not given)"}. {Advice}");
        }
        foreach (string key in _files.Keys.Union(current._files.Keys).Order(StringComparer.Ordinal))
        {
            if (!string.Equals(_files.GetValueOrDefault(key), current._files.GetValueOrDefault(key), StringComparison.Ordinal))
                throw new CommandInputException(
                    $"--resume: the content of {Flag(key)} '{current._settings.GetValueOrDefault(key)}' differs from the file the checkpoints in " +
                    $"'{checkpointFolder}' were trained on (SHA-256). {Advice}");
        }
    }

    /// <summary>The command-line flag of a settings key: <c>batchSize</c> is <c>--batch-size</c>.</summary>
    internal static string Flag(string key)
    {
        var flag = new StringBuilder("--");
        foreach (char c in key)
        {
            if (char.IsUpper(c))
                flag.Append('-').Append(char.ToLowerInvariant(c));
            else
                flag.Append(c);
        }
        return flag.ToString();
    }

    /// <summary>
    /// SHA-256 of a file (with PIQA's labels file beside it, <c>&lt;name&gt;-labels.lst</c>, which the reader takes too),
    /// or of a folder's files in ordinal path order (names and contents).
    /// </summary>
    private static string Hash(string path)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string labels = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path) + "-labels.lst");
        IEnumerable<string> files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : File.Exists(path) ? (File.Exists(labels) ? [path, labels] : [path]) : [];
        string root = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (string file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file) + "\0"));
            using FileStream stream = File.OpenRead(file);
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
