using System.Text.Json;

namespace Paft.Cli.Tests.Compare;

/// <summary>Hand-written evaluation files in the format of <c>paft eval</c>, with summaries computed here from the accuracies.</summary>
internal static class EvalFiles
{
    /// <param name="testSet">The run's <c>testSet</c> ("adversarial" or "clean"); null leaves it out. Adversarial template ids end in <c>~adv1</c>.</param>
    public static string Write(string path, string task, double[] accuracies, double topX = 0.85, int count = 40, string? model = null, string? testSet = null)
    {
        var run = new Dictionary<string, string>();
        if (model is not null)
        {
            run["model"] = model;
            run["baseModel"] = "/models/base";
            run["prompts"] = "/pools/test.jsonl";
        }
        if (testSet is not null)
            run["testSet"] = testSet;
        string suffix = testSet == "adversarial" ? "~adv1" : "";
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
            ["templates"] = accuracies.Select((a, i) => new { id = $"t{i}{suffix}", accuracy = a, count }).ToArray(),
            ["run"] = run.Count == 0 ? null : run,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(json));
        return path;
    }
}
