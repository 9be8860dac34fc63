using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Paft.MLNet.Perturbation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Selection;

public class BatpromptSelectorTests
{
    private static readonly TaskDefinition Task = TaskDefinition.Piqa;
    private const int Rows = 20;

    private static readonly TaskExample[] Validation = Enumerable.Range(0, Rows)
        .Select(i => new TaskExample(new Dictionary<string, string>
        {
            ["goal"] = $"To keep the paint from drying out overnight, number {i}, when the job is not finished yet",
            ["sol1"] = "Press the lid firmly onto the can.",
            ["sol2"] = "Leave the can open near the window.",
        }, i % 3 == 0 ? 1 : 0, $"rows:{i + 1}"))
        .ToArray();

    private static PromptTemplate Style(int k) => PromptTemplate.Parse($"Style {k}. Goal: {{goal}}\nA. {{sol1}}\nB. {{sol2}}\nAnswer:", $"style-{k}");

    /// <summary>
    /// Answers a batch correctly for exactly the planned share of its prompts: the share depends on the
    /// template (its "Style k" marker) and on whether the batch is the clean one (every prompt is a clean
    /// rendering) or the perturbed one. Prompt r of a batch is row r mod <see cref="Rows"/>.
    /// </summary>
    private sealed class PlannedScorer : IMultipleChoiceScorer
    {
        private readonly Dictionary<int, (double Clean, double Perturbed)> _plan;
        private readonly HashSet<string> _cleanPrompts;

        public PlannedScorer(Dictionary<int, (double Clean, double Perturbed)> plan)
        {
            _plan = plan;
            _cleanPrompts = plan.Keys.SelectMany(k => Validation.Select(r => Style(k).Render(r.Fields))).ToHashSet();
        }

        public List<string> Prompts { get; } = [];

        public IReadOnlyList<int> Predict(IReadOnlyList<string> prompts, TaskDefinition task)
        {
            Prompts.AddRange(prompts);
            int style = _plan.Keys.Single(k => prompts[0].StartsWith($"Style {k}.", StringComparison.Ordinal));
            bool clean = prompts.All(_cleanPrompts.Contains);
            double share = clean ? _plan[style].Clean : _plan[style].Perturbed;
            int correct = (int)Math.Round(share * prompts.Count);
            return Enumerable.Range(0, prompts.Count)
                .Select(r => r < correct ? Validation[r % Rows].Label : 1 - Validation[r % Rows].Label)
                .ToArray();
        }
    }

    private static readonly Dictionary<int, (double, double)> Plan = new()
    {
        [0] = (0.90, 0.60),   // drop 0.30
        [1] = (0.80, 0.75),   // drop 0.05: least drop, higher clean than style 2
        [2] = (0.50, 0.45),   // drop 0.05
        [3] = (0.95, 0.50),   // drop 0.45
        [4] = (0.95, 0.80),   // drop 0.15, but the best perturbed accuracy
    };

    private static PromptPool Pool => PromptPool.FromTemplates(Plan.Keys.Select(Style));

    [Fact]
    public async Task ARowAwarePredictorSeesPerturbedRowsThatKeepTheirSourceAndGivesTheSameChoice()
    {
        var scorer = new PlannedScorer(Plan);
        var options = new BatpromptOptions { Perturbation = new() { Rate = 0.1 }, PerturbedCopies = 2 };
        BatpromptResult viaScorer = await new BatpromptSelector(scorer, options).SelectAsync(Pool, Task, Validation);

        var seen = new List<IReadOnlyList<TaskExample>>();
        BatpromptResult viaPredictor = await new BatpromptSelector((template, rows) =>
        {
            seen.Add(rows);
            return TemplateAccuracy.Predict(template, Task, rows, new PlannedScorer(Plan));
        }, options).SelectAsync(Pool, Task, Validation);

        Assert.Equal(viaScorer.Best.Id, viaPredictor.Best.Id);
        Assert.Equal(viaScorer.Trace, viaPredictor.Trace);
        // Per template: the clean rows, then both perturbed copies, in row order, each keeping its row's source and label.
        Assert.Equal(2 * Plan.Count, seen.Count);
        IReadOnlyList<TaskExample> perturbed = seen[1];
        Assert.Equal(2 * Rows, perturbed.Count);
        for (int r = 0; r < perturbed.Count; r++)
        {
            Assert.Equal(Validation[r % Rows].Source, perturbed[r].Source);
            Assert.Equal(Validation[r % Rows].Label, perturbed[r].Label);
        }
        Assert.Contains(Enumerable.Range(0, perturbed.Count), r => perturbed[r].Fields["goal"] != Validation[r % Rows].Fields["goal"]);
    }

    [Fact]
    public async Task APredictorGivingTheWrongNumberOfAnswersIsAnErrorNamingTheTemplate()
    {
        var selector = new BatpromptSelector((template, rows) => new int[rows.Count - 1]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => selector.SelectAsync(Pool, Task, Validation));
        Assert.Contains("'style-0'", e.Message);
        Assert.Contains($"for {Rows} rows", e.Message);
    }

    [Fact]
    public async Task ARiseUnderNoiseCountsAsNoDropSoTheTemplateThatWorksWins()
    {
        // Style 0 is below chance on clean inputs and only gains from noise; style 1 works and holds; style 2 works and drops.
        var plan = new Dictionary<int, (double, double)> { [0] = (0.10, 0.40), [1] = (0.80, 0.80), [2] = (0.90, 0.70) };
        BatpromptResult result = await new BatpromptSelector(new PlannedScorer(plan), new BatpromptOptions { Perturbation = new() { Rate = 0.1 } })
            .SelectAsync(PromptPool.FromTemplates(plan.Keys.Select(Style)), Task, Validation);

        Assert.Equal("style-1", result.Best.Id);
        Assert.Equal(-0.30, result.Trace[0].Drop, 9); // the step still reports the signed drop
    }

    [Fact]
    public async Task OfflinePicksTheTemplateWhoseAccuracyDropsLeast()
    {
        var scorer = new PlannedScorer(Plan);
        BatpromptResult result = await new BatpromptSelector(scorer, new BatpromptOptions { Perturbation = new() { Rate = 0.1 } })
            .SelectAsync(Pool, Task, Validation);

        Assert.Equal("style-1", result.Best.Id);
        Assert.Equal(0.80, result.Score.CleanAccuracy, 9);
        Assert.Equal(0.75, result.Score.PerturbedAccuracy, 9);
        Assert.Equal(Plan.Keys.Select(k => $"style-{k}"), result.Trace.Select(s => s.TemplateId));
        foreach (BatpromptStep step in result.Trace)
        {
            (double clean, double perturbed) = Plan[int.Parse(step.TemplateId["style-".Length..])];
            Assert.Equal(clean, step.CleanAccuracy, 9);
            Assert.Equal(perturbed, step.PerturbedAccuracy, 9);
            Assert.Equal(0, step.Round);
        }
        Assert.Empty(result.Rejected);
        // Scored on the clean rows and on two perturbed copies of them.
        Assert.Equal(Plan.Count * Rows * 3, scorer.Prompts.Count);
    }

    [Fact]
    public async Task PerturbedAccuracyCriterionPicksTheBestUnderNoise()
    {
        BatpromptResult result = await new BatpromptSelector(new PlannedScorer(Plan),
            new BatpromptOptions { Criterion = BatpromptCriterion.PerturbedAccuracy }).SelectAsync(Pool, Task, Validation);
        Assert.Equal("style-4", result.Best.Id);
    }

    [Fact]
    public async Task SameSeedSameNoiseOtherSeedOtherNoise()
    {
        async Task<List<string>> PromptsFor(int seed)
        {
            var scorer = new PlannedScorer(Plan);
            await new BatpromptSelector(scorer, new BatpromptOptions { Seed = seed }).SelectAsync(Pool, Task, Validation);
            return scorer.Prompts;
        }
        Assert.Equal(await PromptsFor(3), await PromptsFor(3));
        Assert.NotEqual(await PromptsFor(3), await PromptsFor(4));
    }

    [Fact]
    public async Task ChatRoundsAddValidatedCandidatesAndRejectTheRest()
    {
        var plan = new Dictionary<int, (double, double)>(Plan) { [9] = (0.85, 0.85), [8] = (0.20, 0.20) };
        var client = new ScriptedChatClient(
            // Round 1: a better template, one missing a placeholder, one that does not parse, a copy of a pool template, a worse one.
            """
            Here you go:
            ["Style 9. Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:",
             "Style 7. Goal: {goal}\nA. {sol1}\nAnswer:",
             "Style 6. Goal: {goal\nA. {sol1}\nB. {sol2}\nAnswer:",
             "style 1.  goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:",
             "Style 8. Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:"]
            """,
            // Round 2: nothing usable.
            "I cannot improve these further.");
        var scorer = new PlannedScorer(plan);
        BatpromptResult result = await new BatpromptSelector(scorer, new BatpromptOptions { Rounds = 2, FailuresShown = 3 }, client)
            .SelectAsync(Pool, Task, Validation);

        Assert.Equal("batprompt-r1-1", result.Best.Id);
        Assert.Equal(0.85, result.Score.PerturbedAccuracy, 9);
        Assert.Equal(["batprompt-r1-1", "batprompt-r1-5"], result.Trace.Where(s => s.Round == 1).Select(s => s.TemplateId));
        Assert.Equal(Pool.Count + 2, result.Trace.Count);
        Assert.Contains(result.Rejected, r => r.StartsWith("batprompt-r1-2:") && r.Contains("missing placeholder {sol2}"));
        Assert.Contains(result.Rejected, r => r.StartsWith("batprompt-r1-3:"));
        Assert.Contains(result.Rejected, r => r.StartsWith("batprompt-r1-4:") && r.Contains("duplicate"));
        Assert.Contains(result.Rejected, r => r.StartsWith("round 2:"));

        // Round 1 showed the offline best (style 1) with three of its failures on perturbed inputs; round 2 the new best.
        Assert.Equal(2, client.Requests.Count);
        string first = client.Requests[0].Last().Text;
        Assert.Contains(Style(1).DisplayText, first);
        Assert.Equal(3, CountOf(first, "correct answer:"));
        Assert.Contains("{goal}, {sol1}, {sol2}", first);
        Assert.Contains("Style 9.", client.Requests[1].Last().Text);
    }

    [Fact]
    public async Task FailedChatRequestKeepsThePoolResult()
    {
        var client = new ScriptedChatClient();   // no reply scripted: every request throws
        var rounds = new List<BatpromptRound>();
        BatpromptResult result = await new BatpromptSelector(new PlannedScorer(Plan),
                new BatpromptOptions { RoundProgress = new ReportTo<BatpromptRound>(rounds.Add) }, client)
            .SelectAsync(Pool, Task, Validation);
        Assert.Equal("style-1", result.Best.Id);
        Assert.Single(result.Rejected);
        Assert.StartsWith("round 1: the chat request failed", result.Rejected[0]);
        // The one round reported says why the loop stopped, and that the pool's best stands.
        BatpromptRound round = Assert.Single(rounds);
        Assert.Equal(result.Rejected[0], round.StopReason);
        Assert.Equal("style-1", round.Best.TemplateId);
        Assert.Empty(round.Scored);
    }

    [Fact]
    public async Task ChatRewritesChangeContextFieldsOnlyBeforeTheNoise()
    {
        var client = new ScriptedChatClient { Rewrite = text => "REWORDED " + text };
        var scorer = new PlannedScorer(Plan);
        await new BatpromptSelector(scorer, new BatpromptOptions
        {
            ChatRewrite = ChatRewriteKind.Paraphrase, Rounds = 0, Perturbation = new() { Rate = 0 },
        }, client).SelectAsync(Pool, Task, Validation);

        // One rewrite per row, per perturbed copy, of the one context field (goal).
        Assert.Equal(Rows * 2, client.RewriteCalls);
        string[] perturbedPrompts = scorer.Prompts.Where(p => p.Contains("REWORDED")).ToArray();
        Assert.Equal(Plan.Count * Rows * 2, perturbedPrompts.Length);
        Assert.All(perturbedPrompts, p => Assert.Contains("A. Press the lid firmly onto the can.", p));
    }

    [Fact]
    public async Task InvalidPoolTemplateIsNamed()
    {
        PromptPool pool = PromptPool.FromTemplates([Style(1), PromptTemplate.Parse("{goal} {sol1}", "short-one")]);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new BatpromptSelector(new PlannedScorer(Plan)).SelectAsync(pool, Task, Validation));
        Assert.Contains("'short-one'", error.Message);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    /// <summary>An in-process chat client: improvement requests get the scripted replies in order; rewrite requests go through <see cref="Rewrite"/>.</summary>
    private sealed class ScriptedChatClient(params string[] replies) : IChatClient
    {
        private int _next;

        public List<IReadOnlyList<ChatMessage>> Requests { get; } = [];

        public Func<string, string>? Rewrite { get; init; }

        public int RewriteCalls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            if (Rewrite is not null && list[0].Text.StartsWith("You rewrite texts", StringComparison.Ordinal))
            {
                RewriteCalls++;
                string text = list[^1].Text.Split("Text:\n")[1];
                return System.Threading.Tasks.Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Rewrite(text))));
            }
            Requests.Add(list);
            if (_next >= replies.Length)
                throw new HttpRequestException("scripted server has no more replies");
            return System.Threading.Tasks.Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, replies[_next++])));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await System.Threading.Tasks.Task.CompletedTask;
            throw new NotSupportedException();
#pragma warning disable CS0162 // an async iterator needs a yield somewhere
            yield break;
#pragma warning restore CS0162
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }

    /// <summary>Calls back on the reporting thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class ReportTo<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
