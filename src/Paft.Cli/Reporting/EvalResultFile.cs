using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paft.Llama;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Reporting;

/// <summary>Writes and reads the JSON file of <c>paft eval</c>, and prints it as a short table.</summary>
internal static class EvalResultFile
{
    /// <summary>
    /// Writes <paramref name="metrics"/> in <c>PromptRobustnessMetrics</c>' JSON format with a <c>run</c> object
    /// added (model, data, pool, mode: what the report names), atomically.
    /// </summary>
    public static void Save(PromptRobustnessMetrics metrics, IReadOnlyDictionary<string, string?> run, string path)
    {
        JsonObject json = JsonNode.Parse(metrics.ToJson())!.AsObject();
        json["run"] = RunObject(run);
        byte[] bytes = new UTF8Encoding(false).GetBytes(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Writes an evaluation made in-process (the sweep's points) as an evaluation file that <see cref="Read"/> and
    /// <c>paft report</c> take: the keys an <see cref="EvalResult"/> holds (no per-example consistency shares,
    /// which it does not keep), atomically.
    /// </summary>
    public static void SaveResult(EvalResult result, string path)
    {
        var templates = new JsonArray();
        foreach (TemplateAccuracy t in result.Templates)
        {
            var entry = new JsonObject { ["id"] = t.Id, ["accuracy"] = t.Accuracy, ["count"] = t.Count };
            if (t.Predicted is not null)
                entry["predicted"] = new JsonArray(t.Predicted.Select(p => (JsonNode?)p).ToArray());
            templates.Add(entry);
        }
        var json = new JsonObject
        {
            ["task"] = result.Task,
            ["templateCount"] = result.Templates.Count,
            ["exampleCount"] = result.ExampleCount,
            ["summary"] = new JsonObject
            {
                ["meanAccuracy"] = result.MeanAccuracy,
                ["accuracyStdDev"] = result.AccuracyStdDev,
                ["minAccuracy"] = result.MinAccuracy,
                ["maxAccuracy"] = result.MaxAccuracy,
                ["medianAccuracy"] = result.MedianAccuracy,
                ["spread"] = result.MaxAccuracy - result.MinAccuracy,
                ["topXThreshold"] = result.TopXThreshold,
                ["topXShare"] = result.TopXShare,
            },
            ["templates"] = templates,
            ["run"] = RunObject(result.Run.ToDictionary(p => p.Key, p => (string?)p.Value)),
        };
        if (result.Labels is not null)
            json["labels"] = new JsonArray(result.Labels.Select(l => (JsonNode?)l).ToArray());
        byte[] bytes = new UTF8Encoding(false).GetBytes(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Reads an evaluation file; the method is named <paramref name="method"/>, else after the file.</summary>
    /// <exception cref="InvalidDataException">The file is not an evaluation file; the message names the file and the key.</exception>
    public static EvalResult Read(string path, string? method = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Evaluation file '{path}' does not exist.", path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }
        if (root is not JsonObject json)
            throw new InvalidDataException($"{path}: expected a JSON object as written by `paft eval`.");
        return Parse(json, path, Path.GetFullPath(path), method ?? MethodName(path));
    }

    /// <summary>
    /// An evaluation straight from the metrics, without a file (for a caller that evaluates in-process, such as
    /// the demo): the same content <see cref="Save"/> then <see cref="Read"/> would give.
    /// </summary>
    public static EvalResult FromMetrics(string method, PromptRobustnessMetrics metrics, IReadOnlyDictionary<string, string?>? run = null)
    {
        JsonObject json = JsonNode.Parse(metrics.ToJson())!.AsObject();
        json["run"] = RunObject(run ?? new Dictionary<string, string?>());
        return Parse(json, method, "(in memory)", method);
    }

    private static JsonObject RunObject(IReadOnlyDictionary<string, string?> run)
    {
        var runJson = new JsonObject();
        foreach ((string key, string? value) in run)
            if (value is not null)
                runJson[key] = value;
        return runJson;
    }

    private static EvalResult Parse(JsonObject json, string path, string source, string method)
    {
        JsonObject summary = Get<JsonObject>(json, "summary", path);
        JsonArray templates = Get<JsonArray>(json, "templates", path);
        var entries = new List<TemplateAccuracy>(templates.Count);
        for (int i = 0; i < templates.Count; i++)
        {
            if (templates[i] is not JsonObject t)
                throw new InvalidDataException($"{path}: templates[{i}] is not an object.");
            string where = $"templates[{i}]";
            int count = Value<int>(t, "count", path, where);
            IReadOnlyList<int>? predicted = Integers(t, "predicted", path, $"{where}.predicted", count);
            entries.Add(new TemplateAccuracy(Value<string>(t, "id", path, where), Value<double>(t, "accuracy", path, where), count, predicted));
        }
        if (entries.Count == 0)
            throw new InvalidDataException($"{path}: 'templates' is empty.");
        var run = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json["run"] is JsonObject runJson)
            foreach ((string key, JsonNode? value) in runJson)
                if (value is not null)
                    run[key] = value.ToString();
        if (run.TryGetValue(EvalResult.TestSetKey, out string? testSet) && testSet is not (EvalResult.CleanTestSet or EvalResult.AdversarialTestSet))
            throw new InvalidDataException(
                $"{path}: run.{EvalResult.TestSetKey} is '{testSet}'; expected '{EvalResult.CleanTestSet}' or '{EvalResult.AdversarialTestSet}'.");

        int exampleCount = Value<int>(json, "exampleCount", path, null);
        IReadOnlyList<int>? labels = Integers(json, "labels", path, "labels", exampleCount);
        return new EvalResult(
            method,
            Value<string>(json, "task", path, null),
            exampleCount,
            Value<double>(summary, "meanAccuracy", path, "summary"),
            Value<double>(summary, "accuracyStdDev", path, "summary"),
            Value<double>(summary, "minAccuracy", path, "summary"),
            Value<double>(summary, "maxAccuracy", path, "summary"),
            Value<double>(summary, "medianAccuracy", path, "summary"),
            Value<double>(summary, "topXThreshold", path, "summary"),
            Value<double>(summary, "topXShare", path, "summary"),
            entries,
            run,
            source)
        {
            Labels = labels,
        };
    }

    /// <summary>An optional array of integers with <paramref name="expectedCount"/> items (older files have none: null).</summary>
    private static int[]? Integers(JsonObject json, string key, string path, string name, int expectedCount)
    {
        if (json[key] is null)
            return null;
        if (json[key] is not JsonArray array)
            throw new InvalidDataException($"{path}: '{name}' is not an array of integers.");
        if (array.Count != expectedCount)
            throw new InvalidDataException($"{path}: '{name}' holds {array.Count} values for {expectedCount} rows.");
        var values = new int[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            try
            {
                values[i] = array[i] is JsonValue value ? value.GetValue<int>() : throw new InvalidDataException($"{path}: '{name}[{i}]' is not an integer.");
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}: '{name}[{i}]' is not an integer.", e);
            }
        }
        return values;
    }

    /// <summary>What a file name ends with, before <c>.json</c>, when the file holds an adversarial evaluation (<c>paft.adversarial.json</c>).</summary>
    public const string AdversarialSuffix = ".adversarial";

    /// <summary>Whether the file's name says it holds an adversarial evaluation (<c>X.adversarial.json</c>).</summary>
    public static bool NamedAdversarial(string path) =>
        Path.GetFileNameWithoutExtension(path).EndsWith(AdversarialSuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The file's name without extension and without <see cref="AdversarialSuffix"/> (the test set is not part of the
    /// method's name); for a generic name such as <c>eval.json</c> or <c>eval.adversarial.json</c>, its folder's name.
    /// </summary>
    public static string MethodName(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        if (NamedAdversarial(path) && stem.Length > AdversarialSuffix.Length)
            stem = stem[..^AdversarialSuffix.Length];
        bool generic = stem is "eval" or "metrics" or "results" or "robustness";
        string? folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
        return generic && !string.IsNullOrEmpty(folder) ? folder : stem;
    }

    /// <summary>Per-template accuracies and the summary, as a few aligned lines.</summary>
    public static void WriteTable(EvalResult result, TextWriter output)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        int width = Math.Max("template".Length, result.Templates.Max(t => t.Id.Length));
        output.WriteLine($"{"template".PadRight(width)}  accuracy  count");
        foreach (TemplateAccuracy t in result.Templates)
            output.WriteLine(string.Format(inv, "{0}  {1,7:F2}%  {2,5}", t.Id.PadRight(width), 100 * t.Accuracy, t.Count));
        output.WriteLine(string.Format(inv,
            "mean {0:F2}% ± {1:F2}  min {2:F2}%  max {3:F2}%  median {4:F2}%  Top-{5:0.##}% {6:F1}% of {7} templates",
            100 * result.MeanAccuracy, 100 * result.AccuracyStdDev, 100 * result.MinAccuracy, 100 * result.MaxAccuracy,
            100 * result.MedianAccuracy, 100 * result.TopXThreshold, 100 * result.TopXShare, result.Templates.Count));
    }

    private static T Get<T>(JsonObject json, string key, string path) where T : JsonNode =>
        json[key] as T ?? throw new InvalidDataException($"{path}: missing or malformed '{key}'.");

    private static T Value<T>(JsonObject json, string key, string path, string? parent)
    {
        string name = parent is null ? key : $"{parent}.{key}";
        try
        {
            return json[key] is JsonValue value ? value.GetValue<T>() : throw new InvalidDataException($"{path}: missing '{name}'.");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: '{name}' is not a {typeof(T).Name}.", e);
        }
    }
}
