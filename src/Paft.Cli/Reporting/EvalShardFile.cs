using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Paft.Cli.Commands;
using Paft.Cli.Terminal;
using Paft.Llama;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Reporting;

/// <summary>
/// The file of one shard of an evaluation (<c>paft eval --shard i/N</c>): the evaluation JSON of its templates, plus a
/// <c>shard</c> object and the per-row details of <see cref="RowPredictionsJson"/>, from which <see cref="Merge"/> recomputes
/// the whole evaluation with the same evaluator — so N shards merge into exactly the file one unsharded run writes.
/// </summary>
internal static class EvalShardFile
{
    /// <summary>2: the rows' predictions are the evaluation JSON's own (<see cref="RowPredictionsJson"/>); 1 (no <c>format</c>) repeated them in <c>predictions</c>.</summary>
    public const int Format = 2;

    /// <summary>Writes a shard's file atomically.</summary>
    public static void Save(PromptRobustnessMetrics metrics, IReadOnlyDictionary<string, string?> run, EvalShard shard, int poolTemplates, string path)
    {
        JsonObject json = JsonNode.Parse(metrics.ToJson())!.AsObject();
        var runJson = new JsonObject();
        foreach ((string key, string? value) in run)
            if (value is not null)
                runJson[key] = value;
        json["run"] = runJson;
        json["shard"] = new JsonObject
        {
            ["format"] = Format,
            ["index"] = shard.Index,
            ["count"] = shard.Count,
            ["poolTemplateCount"] = poolTemplates,
            ["firstTemplate"] = shard.Start(poolTemplates),
        };
        RowPredictionsJson.AddDetails(json, metrics.Templates);
        byte[] bytes = new UTF8Encoding(false).GetBytes(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Merges the files of all N shards of one evaluation into the evaluation file an unsharded run writes. The shards
    /// must be 0..N-1 of one N, each once, with one task, pool size and <c>run</c> object.
    /// </summary>
    public static void Merge(IReadOnlyList<string> paths, string outPath)
    {
        var shards = paths.Select(Read).ToList();
        Shard first = shards[0];
        foreach (Shard s in shards)
        {
            if (s.Count != first.Count || s.PoolTemplates != first.PoolTemplates || s.Task != first.Task)
                throw new CommandInputException(
                    $"--merge: '{s.Path}' is shard {s.Index}/{s.Count} of {s.PoolTemplates} '{s.Task}' templates; '{first.Path}' is of {first.Count} shards, {first.PoolTemplates} '{first.Task}' templates.");
            if (s.Run.ToJsonString() != first.Run.ToJsonString())
                throw new CommandInputException($"--merge: '{s.Path}' and '{first.Path}' come from different runs (their 'run' objects differ).");
            if (s.TopXThreshold != first.TopXThreshold)
                throw new CommandInputException($"--merge: '{s.Path}' and '{first.Path}' use different Top-X thresholds.");
        }
        for (int index = 0; index < first.Count; index++)
        {
            int found = shards.Count(s => s.Index == index);
            if (found != 1)
                throw new CommandInputException(found == 0
                    ? $"--merge: shard {index}/{first.Count} is missing; give all {first.Count} shard files."
                    : $"--merge: shard {index}/{first.Count} is given {found} times.");
        }
        List<TemplatePredictions> templates = shards.OrderBy(s => s.Index).SelectMany(s => s.Templates).ToList();
        if (templates.Count != first.PoolTemplates)
            throw new CommandInputException($"--merge: the shards hold {templates.Count} templates; the pool has {first.PoolTemplates}.");

        // A custom task's evaluation records its task definition file (--task-def); a built-in one only its name.
        TaskDefinition task = first.Run["taskDefinition"]?.GetValue<string>() is string definitionFile
            ? TrainCommandInputs.Task(null, definitionFile)
            : TaskDefinition.FromName(first.Task);
        PromptRobustnessMetrics metrics = new PromptRobustnessEvaluator(new MLContext(0), task,
            new PromptRobustnessOptions { TopXThreshold = first.TopXThreshold }).Evaluate(templates);
        var run = new Dictionary<string, string?>();
        foreach ((string key, JsonNode? value) in first.Run)
            run[key] = value?.GetValue<string>();
        EvalResultFile.Save(metrics, run, outPath);
    }

    private sealed record Shard(string Path, int Index, int Count, int PoolTemplates, string Task, double TopXThreshold, JsonObject Run,
        IReadOnlyList<TemplatePredictions> Templates);

    private static Shard Read(string path)
    {
        if (!File.Exists(path))
            throw new CommandInputException($"--merge: '{path}' does not exist.");
        JsonNode Need(JsonNode? parent, string key) =>
            parent?[key] ?? throw new CommandInputException($"--merge: '{path}' has no '{key}': it is not a shard file of paft eval --shard.");
        try
        {
            JsonNode json = JsonNode.Parse(File.ReadAllText(path)) ?? throw new CommandInputException($"--merge: '{path}' holds null.");
            JsonNode shard = Need(json, "shard");
            int format = shard["format"]?.GetValue<int>() ?? 1;
            if (format is < 1 or > Format)
                throw new CommandInputException($"--merge: '{path}' is a shard file of format {format}; this paft reads formats 1 to {Format}.");
            IReadOnlyList<TemplatePredictions> templates = format == 1 ? ReadFormat1(json, Need) : RowPredictionsJson.Read(path, json.AsObject());
            return new Shard(path, Need(shard, "index").GetValue<int>(), Need(shard, "count").GetValue<int>(), Need(shard, "poolTemplateCount").GetValue<int>(),
                Need(json, "task").GetValue<string>(), Need(Need(json, "summary"), "topXThreshold").GetValue<double>(),
                json["run"]?.AsObject() ?? new JsonObject(), templates);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new CommandInputException($"--merge: '{path}' is not a shard file of paft eval --shard: {e.Message}", e);
        }
    }

    /// <summary>A format-1 shard's <c>predictions</c>: per template an <c>id</c> and its <c>examples</c>, each with its label and prediction.</summary>
    private static List<TemplatePredictions> ReadFormat1(JsonNode json, Func<JsonNode?, string, JsonNode> Need)
    {
        var templates = new List<TemplatePredictions>();
        foreach (JsonNode? template in Need(json, "predictions").AsArray())
        {
            var examples = Need(template, "examples").AsArray().Select(e => new ExamplePrediction(
                Need(e, "label").GetValue<int>(),
                Need(e, "predicted").GetValue<int>(),
                e?["probabilities"]?.AsArray().Select(v => v?.GetValue<float>() ?? float.NaN).ToArray(),
                e?["generatedCharacters"]?.GetValue<int>(),
                e?["generatedTokens"]?.GetValue<int>())).ToArray();
            templates.Add(new TemplatePredictions(Need(template, "id").GetValue<string>(), examples));
        }
        return templates;
    }
}
