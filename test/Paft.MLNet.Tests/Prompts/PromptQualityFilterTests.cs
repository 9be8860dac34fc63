using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Prompts;

public class PromptQualityFilterTests
{
    /// <summary>
    /// Answers right only when the prompt contains <c>cue</c>; otherwise always picks option 0.
    /// The right answer is read from the prompt ("key=N"), so accuracy is known by hand.
    /// </summary>
    private sealed class CueScorer(string cue) : IMultipleChoiceScorer
    {
        public int Calls { get; private set; }

        public IReadOnlyList<int> Predict(IReadOnlyList<string> prompts, TaskDefinition task)
        {
            Calls++;
            return prompts.Select(p => p.Contains(cue) ? p[p.IndexOf("key=", StringComparison.Ordinal) + 4] - '0' : 0).ToArray();
        }
    }

    private static readonly TaskDefinition Task = TaskDefinition.Piqa;

    // Labels 1, 0, 1, 1: always answering 0 scores 1/4.
    private static readonly TaskExample[] Validation = [.. new[] { 1, 0, 1, 1 }.Select((label, i) => new TaskExample(
        new Dictionary<string, string> { ["goal"] = $"g{i} key={label}", ["sol1"] = "s1", ["sol2"] = "s2" }, label))];

    private static PromptPool Pool() => PromptPool.FromTemplates(
    [
        PromptTemplate.Parse("Think step by step. {goal} A. {sol1} B. {sol2} Answer:", "good1"),
        PromptTemplate.Parse("{goal} {sol1} {sol2}", "bad1"),
        PromptTemplate.Parse("Think step by step! {goal} (A) {sol1} (B) {sol2}", "good2"),
        PromptTemplate.Parse("Goal: {goal} A. {sol1} B. {sol2}", "bad2"),
    ]);

    [Fact]
    public void Score_ComputesAccuracyPerTemplate()
    {
        var scorer = new CueScorer("Think step by step");

        IReadOnlyList<TemplateQuality> scores = new PromptQualityFilter(scorer).Score(Pool(), Task, Validation);

        Assert.Equal(["good1", "bad1", "good2", "bad2"], scores.Select(s => s.Id));
        Assert.Equal([1.0, 0.25, 1.0, 0.25], scores.Select(s => s.Accuracy));
        Assert.All(scores, s => Assert.True(s.Kept));
        Assert.Equal(4, scorer.Calls);
    }

    [Fact]
    public void Filter_ByThreshold_KeepsThoseReachingIt()
    {
        var filter = new PromptQualityFilter(new CueScorer("Think step by step")) { MinAccuracy = 0.5 };

        Assert.Equal(["good1", "good2"], filter.Filter(Pool(), Task, Validation).Select(e => e.Id));
    }

    [Fact]
    public void Filter_ByTopFraction_BreaksTiesByPoolOrder()
    {
        var filter = new PromptQualityFilter(new CueScorer("step by step!")) { TopFraction = 0.5 };

        // Only good2 has the cue; of the three tied at 0.25, the earliest (good1) fills the second place.
        Assert.Equal(["good1", "good2"], filter.Filter(Pool(), Task, Validation).Select(e => e.Id));
    }

    [Fact]
    public void Score_RejectsUnlabelledRowsAndWrongPredictionCounts()
    {
        var filter = new PromptQualityFilter(new CueScorer("x"));
        TaskExample unlabelled = Validation[0] with { Label = -1, Source = "rows.jsonl line 3" };

        var error = Assert.Throws<ArgumentException>(() => filter.Score(Pool(), Task, [unlabelled]));
        Assert.Contains("rows.jsonl line 3", error.Message);
        Assert.Throws<ArgumentException>(() => filter.Score(Pool(), Task, []));

        var broken = new PromptQualityFilter(new FixedScorer([0]));
        Assert.Contains("'good1'", Assert.Throws<InvalidOperationException>(() => broken.Score(Pool(), Task, Validation)).Message);
    }

    private sealed class FixedScorer(int[] answers) : IMultipleChoiceScorer
    {
        public IReadOnlyList<int> Predict(IReadOnlyList<string> prompts, TaskDefinition task) => answers;
    }
}
