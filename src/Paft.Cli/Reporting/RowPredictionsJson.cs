using System.Text.Json.Nodes;
using Paft.MLNet.Evaluation;

namespace Paft.Cli.Reporting;

/// <summary>
/// The per-row predictions of an evaluation file, in the one shape the evaluation JSON has: the top-level <c>labels</c>
/// (the correct option of each row) and each <c>templates</c> entry's <c>predicted</c> (the option chosen for each row,
/// -1 for none), which <see cref="EvalResultFile"/> reads. A shard file (<c>paft eval --shard</c>) adds, per template
/// entry and only when known, what the evaluator needs beyond them to recompute the metrics exactly:
/// <c>probabilities</c> (one array of option probabilities a row), <c>generatedCharacters</c> and <c>generatedTokens</c>
/// (one number a row). Shard files of format 1 held all of it again in a separate <c>predictions</c> array; they still load.
/// </summary>
internal static class RowPredictionsJson
{
    /// <summary>Adds the per-row values beyond <c>predicted</c> to the <c>templates</c> entries of <paramref name="json"/>.</summary>
    public static void AddDetails(JsonObject json, IReadOnlyList<TemplateEvaluation> templates)
    {
        JsonArray entries = json["templates"]!.AsArray();
        for (int i = 0; i < templates.Count; i++)
        {
            JsonObject entry = entries[i]!.AsObject();
            IReadOnlyList<ExamplePrediction> rows = templates[i].Predictions;
            if (entry["id"]!.GetValue<string>() != templates[i].TemplateId)
                throw new InvalidOperationException($"templates[{i}] is '{entry["id"]}', not '{templates[i].TemplateId}'.");
            if (rows.Any(p => p.Probabilities is not null))
                entry["probabilities"] = new JsonArray(rows.Select(p => (JsonNode?)(p.Probabilities is { } values
                    ? new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())
                    : null)).ToArray());
            if (rows.Any(p => p.GeneratedCharacters is not null))
                entry["generatedCharacters"] = new JsonArray(rows.Select(p => (JsonNode?)p.GeneratedCharacters).ToArray());
            if (rows.Any(p => p.GeneratedTokens is not null))
                entry["generatedTokens"] = new JsonArray(rows.Select(p => (JsonNode?)p.GeneratedTokens).ToArray());
        }
    }

    /// <summary>
    /// Every template's per-row predictions of the evaluation file at <paramref name="path"/>: <c>labels</c> and
    /// <c>predicted</c> as <see cref="EvalResultFile.Read"/> reads and checks them, with the details of <see cref="AddDetails"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The file lacks <c>labels</c> or a <c>predicted</c>, or a detail has the wrong length.</exception>
    public static IReadOnlyList<TemplatePredictions> Read(string path, JsonObject json)
    {
        EvalResult result = EvalResultFile.Read(path);
        if (!result.HasRowPredictions)
            throw new InvalidDataException($"{path}: no per-row predictions ('labels' and every template's 'predicted').");
        IReadOnlyList<int> labels = result.Labels!;
        // Generated answers name what read them; likelihood scoring has no extractor. Several (comma-separated) cannot be told apart by row.
        string? extractor = json["extractor"]?.GetValue<string>() is { } name && !name.Contains(',', StringComparison.Ordinal) ? name : null;
        JsonArray entries = json["templates"]!.AsArray();
        var templates = new List<TemplatePredictions>(result.Templates.Count);
        for (int t = 0; t < result.Templates.Count; t++)
        {
            JsonObject entry = entries[t]!.AsObject();
            JsonArray? probabilities = Detail(entry, "probabilities", t);
            JsonArray? characters = Detail(entry, "generatedCharacters", t);
            JsonArray? tokens = Detail(entry, "generatedTokens", t);
            IReadOnlyList<int> predicted = result.Templates[t].Predicted!;
            templates.Add(new TemplatePredictions(result.Templates[t].Id, labels.Select((label, r) => new ExamplePrediction(label, predicted[r],
                probabilities?[r]?.AsArray().Select(v => v?.GetValue<float>() ?? float.NaN).ToArray(),
                characters?[r]?.GetValue<int>(), tokens?[r]?.GetValue<int>()) { Extractor = extractor }).ToArray()));
        }
        return templates;

        JsonArray? Detail(JsonObject entry, string key, int t) => entry[key] switch
        {
            null => null,
            JsonArray array when array.Count == labels.Count => array,
            _ => throw new InvalidDataException($"{path}: templates[{t}].{key} must be an array of {labels.Count} values, one a row."),
        };
    }
}
