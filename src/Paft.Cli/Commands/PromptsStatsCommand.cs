using System.CommandLine;
using Paft.Cli.Terminal;
using System.Globalization;
using Paft.MLNet.Connectors;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft prompts stats --prompts FILE [--task TASK]</c>: size, lengths, placeholder orders, answer cues,
/// duplicates and suspicious templates of a pool.
/// </summary>
internal static class PromptsStatsCommand
{
    public static Command Create()
    {
        Option<string> prompts = PromptsCommandOptions.PromptsFile();
        Option<string> task = PromptsCommandOptions.Task(required: false);
        Option<bool> escaped = PromptsCommandOptions.EscapedNewlines();
        Option<double> threshold = PromptsCommandOptions.NearDuplicateThreshold();
        var command = new Command("stats", "Describe a pool: lengths, placeholder orders, duplicates, suspicious templates.")
        {
            prompts, task, escaped, threshold,
        };
        command.SetAction(parseResult => PromptsCommandOptions.Run(parseResult, output =>
        {
            string? taskName = parseResult.GetValue(task);
            TaskDefinition? definition = taskName is null ? null : TaskDefinition.FromName(taskName);
            PromptPool pool = PromptPoolFiles.Load(parseResult.GetValue(prompts)!, PromptsCommandOptions.Escaping(parseResult.GetValue(escaped)), CliInputLimits.Current);
            Write(pool.ComputeStatistics(definition, parseResult.GetValue(threshold)), output);
            return PromptsCommandOptions.Success;
        }));
        return command;
    }

    private static void Write(PromptPoolStatistics stats, TextWriter output)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        output.WriteLine($"Templates: {stats.Count}");
        output.WriteLine(string.Format(inv, "Length (characters): min {0}, median {1}, mean {2:F1}, max {3}",
            stats.MinLength, stats.MedianLength, stats.MeanLength, stats.MaxLength));
        output.WriteLine("Placeholder orders:");
        foreach ((string order, int count) in stats.PlaceholderOrders)
            output.WriteLine($"  {(order.Length == 0 ? "(none)" : order)}: {count}");
        output.WriteLine(string.Format(inv, "Ending with an answer cue: {0:F1}% ({1})", 100 * stats.AnswerCueFraction,
            string.Join(", ", stats.AnswerCueCounts.Select(c => $"\"{c.Key}\" {c.Value}"))));
        output.WriteLine($"Exact duplicate groups: {stats.ExactDuplicateGroups.Count}");
        foreach (IReadOnlyList<string> group in stats.ExactDuplicateGroups)
            output.WriteLine($"  {string.Join(", ", group)}");
        output.WriteLine(string.Format(inv, "Near-duplicate clusters (similarity >= {0:F2}): {1} ({2} templates)",
            stats.NearDuplicateThreshold, stats.NearDuplicateClusters.Count, stats.NearDuplicateClusters.Sum(c => c.Count)));
        foreach (IReadOnlyList<string> cluster in stats.NearDuplicateClusters)
            output.WriteLine($"  {string.Join(", ", cluster)}");
        output.WriteLine($"Suspicious: {stats.Suspicious.Count} findings in {stats.Suspicious.Select(s => s.Id).Distinct().Count()} templates");
        foreach (SuspiciousTemplate finding in stats.Suspicious)
            output.WriteLine($"  {finding.Id}: {finding.Reason}");
    }
}
