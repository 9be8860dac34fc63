using System.Text.Json;

namespace Paft.Cli.Tests.Compare;

/// <summary>Hand-written evaluation files in the format of <c>paft eval</c>, with summaries computed here from the accuracies.</summary>
internal static class EvalFiles
{
    public static string Write(string path, string task, double[] accuracies, double topX = 0.85, int count = 40, string? model = null)
    {
        double mean = accuracies.Average();
        double[] sorted = accuracies.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        var json = new Dictionary<string, object?>
        {
            ["task"] = task,
            ["templateCount"] = accuracies.Length,
            ["exampleCount"] = count,
            ["summary"] = new Dictionary<string, object>
            {
                ["meanAccuracy"] = mean,
                ["accuracyStdDev"] = Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / accuracies.Length),
                ["minAccuracy"] = sorted[0],
                ["maxAccuracy"] = sorted[^1],
                ["medianAccuracy"] = median,
                ["topXThreshold"] = topX,
                ["topXShare"] = accuracies.Count(a => a >= topX) / (double)accuracies.Length,
            },
            ["templates"] = accuracies.Select((a, i) => new { id = $"t{i}", accuracy = a, count }).ToArray(),
            ["run"] = model is null ? null : new Dictionary<string, string> { ["model"] = model, ["baseModel"] = "/models/base", ["prompts"] = "/pools/test.jsonl" },
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(json));
        return path;
    }
}
