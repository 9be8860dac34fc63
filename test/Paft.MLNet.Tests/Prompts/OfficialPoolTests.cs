using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.Tests.Common;
using Xunit.Abstractions;

namespace Paft.MLNet.Tests.Prompts;

/// <summary>The PAFT authors' training pools in ../shared: every template parses, validates and renders real rows.</summary>
public class OfficialPoolTests(ITestOutputHelper output)
{
    private static readonly string[] TaskNames = ["hellaswag", "piqa", "race", "winogrande"];

    public static TheoryData<string> Tasks => new(TaskNames);

    private static PromptPool LoadPool(string task) =>
        PromptPool.Load(SharedData.Path("prompts", "paft-official-train", task + ".jsonl"), PromptTextEscaping.BackslashSequences);

    [SharedTheory]
    [MemberData(nameof(Tasks))]
    public void EveryTemplate_ParsesValidatesAndRendersRealRows(string taskName)
    {
        TaskDefinition task = TaskDefinition.FromName(taskName);
        PromptPool pool = LoadPool(taskName);
        IReadOnlyList<TaskExample> rows = BenchmarkRows.Read(task, 5);

        Assert.True(pool.Count >= 300, $"{taskName}: only {pool.Count} templates loaded");
        Assert.Empty(pool.Validate(task));
        foreach (PromptTemplate template in pool.Templates)
        {
            Assert.False(template.DisplayText.Contains(@"\n", StringComparison.Ordinal), $"{template.Id}: an escaped newline was left");
            foreach (TaskExample row in rows)
            {
                string prompt = template.Render(row.Fields);
                // Every field's text lands in the prompt, and no placeholder is left. Ordinal searches:
                // xunit's string Assert.Contains compares by culture, which is slow on long articles.
                foreach (string field in task.Fields)
                {
                    Assert.True(prompt.Contains(row.Fields[field], StringComparison.Ordinal), $"{template.Id}: the {field} of {row.Source} is missing");
                    Assert.False(prompt.Contains("{" + field + "}", StringComparison.Ordinal), $"{template.Id}: {{{field}}} left in the prompt");
                }
            }
        }
    }

    [SharedFact]
    public void Render_OfFirstPiqaTemplate_EqualsHandSubstitution()
    {
        PromptPool pool = LoadPool("piqa");
        TaskExample row = BenchmarkRows.Read(TaskDefinition.Piqa, 1)[0];
        PromptPoolEntry entry = pool[0];

        string expected = entry.Template.Text.Replace(@"\n", "\n")
            .Replace("{goal}", row.Fields["goal"]).Replace("{sol1}", row.Fields["sol1"]).Replace("{sol2}", row.Fields["sol2"]);

        Assert.Equal(expected, entry.Template.Render(row.Fields));
    }

    [SharedFact]
    public void Statistics_FindTheKnownNoise()
    {
        var stats = TaskNames.ToDictionary(t => t, t => LoadPool(t).ComputeStatistics(TaskDefinition.FromName(t)));
        foreach ((string task, PromptPoolStatistics s) in stats)
        {
            output.WriteLine($"{task}: {s.Count} templates, length {s.MinLength}/{s.MedianLength}/{s.MeanLength:F1}/{s.MaxLength}, " +
                $"exact-duplicate groups {s.ExactDuplicateGroups.Count}, near-duplicate clusters {s.NearDuplicateClusters.Count} " +
                $"({s.NearDuplicateClusters.Sum(c => c.Count)} templates), suspicious {s.Suspicious.Count} " +
                $"({s.Suspicious.Select(x => x.Id).Distinct().Count()} templates), answer cue {s.AnswerCueFraction:P1}");
            foreach (var order in s.PlaceholderOrders)
                output.WriteLine($"    order {order.Key}: {order.Value}");
            foreach (var reason in s.Suspicious.GroupBy(x => x.Reason.Split(':')[0].Split('"')[0]).Select(g => $"{g.Key} x{g.Count()}"))
                output.WriteLine($"    {reason}");
        }

        // Duplicates exist in the authors' pools (the README says so); exact ones in at least one.
        Assert.Contains(stats.Values, s => s.ExactDuplicateGroups.Count > 0);
        Assert.All(stats.Values, s => Assert.True(s.NearDuplicateClusters.Count > 0));
        // The RACE template with "[describe how it involves those connections]" is flagged.
        Assert.Contains(stats["race"].Suspicious, s => s.Id == "paft-train-race-000" && s.Reason.Contains("[describe"));
        // Some PIQA and RACE templates repeat a placeholder; HellaSwag's are regular.
        Assert.Contains(stats["piqa"].Suspicious, s => s.Reason.Contains("{goal} appears 2 times"));
        Assert.Contains(stats["race"].PlaceholderOrders, p => p.Key == "question,article,A,B,C,D");
        Assert.Equal("ctx,A,B,C,D", Assert.Single(stats["hellaswag"].PlaceholderOrders).Key);
        // A third of WinoGrande's end with "Answer:." and are flagged for the stray period.
        Assert.Contains(stats["winogrande"].Suspicious, s => s.Reason.StartsWith("stray text after the answer cue", StringComparison.Ordinal));
        // Nearly all end with an answer cue.
        Assert.All(stats.Values, s => Assert.True(s.AnswerCueFraction > 0.6, $"answer cue fraction {s.AnswerCueFraction}"));
    }

    [SharedFact]
    public void Split_OfOfficialPool_IsDisjointWithNoNearDuplicateAcross()
    {
        PromptPool pool = LoadPool("hellaswag");

        PromptPoolSplit split = pool.Split(0.15, seed: 1);

        Assert.Equal(pool.Count, split.Train.Count + split.Test.Count);
        Assert.InRange(split.Test.Count, (int)(0.1 * pool.Count), (int)Math.Ceiling(0.15 * pool.Count));
        var testIds = split.Test.Select(e => e.Id).ToHashSet();
        foreach (IReadOnlyList<string> cluster in pool.NearDuplicateClusters())
            Assert.True(cluster.All(testIds.Contains) || !cluster.Any(testIds.Contains),
                $"cluster {string.Join(",", cluster)} straddles the split");
    }
}
