using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Selection;

public class ZopoTemplateSelectorTests
{
    /// <summary>Places each template at a known point of the unit square.</summary>
    private sealed class PlaneEmbedder(IReadOnlyDictionary<string, float[]> points) : ITemplateEmbedder
    {
        public float[] Embed(string templateText) => points[templateText];
    }

    /// <summary>A pool of <paramref name="count"/> templates at random points of the plane, seeded.</summary>
    private static (PromptPool Pool, PlaneEmbedder Embedder, Dictionary<string, float[]> Points) PlanePool(int count, int seed)
    {
        var random = new Random(seed);
        var templates = new List<PromptTemplate>();
        var points = new Dictionary<string, float[]>();
        for (int i = 0; i < count; i++)
        {
            PromptTemplate template = PromptTemplate.Parse($"Variant {i}: {{ctx}}\nAnswer:", $"t{i:D3}");
            templates.Add(template);
            points[template.DisplayText] = [(float)random.NextDouble(), (float)random.NextDouble()];
        }
        return (PromptPool.FromTemplates(templates), new PlaneEmbedder(points), points);
    }

    /// <summary>
    /// A smooth landscape with a broad decoy hill and a narrower, higher true hill at hidden places, plus a
    /// fixed per-template noise: what validation accuracy over an embedding space might look like.
    /// </summary>
    private static Func<PromptTemplate, double> Landscape(Dictionary<string, float[]> points, int seed)
    {
        var random = new Random(seed * 7919 + 1);
        double[] peak = [random.NextDouble(), random.NextDouble()];
        double[] decoy = [random.NextDouble(), random.NextDouble()];
        var noise = points.Keys.ToDictionary(k => k, _ => 0.02 * (random.NextDouble() - 0.5));
        return template =>
        {
            float[] p = points[template.DisplayText];
            double dPeak = Math.Pow(p[0] - peak[0], 2) + Math.Pow(p[1] - peak[1], 2);
            double dDecoy = Math.Pow(p[0] - decoy[0], 2) + Math.Pow(p[1] - decoy[1], 2);
            return 0.25 + 0.6 * Math.Exp(-dPeak / (2 * 0.15 * 0.15)) + 0.3 * Math.Exp(-dDecoy / (2 * 0.3 * 0.3)) + noise[template.DisplayText];
        };
    }

    [Fact]
    public void SameSeedGivesSameTraceAndNoTemplateIsEvaluatedTwice()
    {
        (PromptPool pool, PlaneEmbedder embedder, var points) = PlanePool(80, seed: 3);
        Func<PromptTemplate, double> accuracy = Landscape(points, seed: 3);
        var calls = new List<string>();
        double Counted(PromptTemplate t) { calls.Add(t.Id); return accuracy(t); }

        var options = new ZopoOptions { Budget = 30, Seed = 11 };
        ZopoResult first = new ZopoTemplateSelector(options, embedder).Select(pool, Counted);
        ZopoResult second = new ZopoTemplateSelector(options, embedder).Select(pool, accuracy);
        ZopoResult otherSeed = new ZopoTemplateSelector(new ZopoOptions { Budget = 30, Seed = 12 }, embedder).Select(pool, accuracy);

        Assert.Equal(first.Trace, second.Trace);
        Assert.NotEqual(first.Trace.Select(s => s.TemplateId), otherSeed.Trace.Select(s => s.TemplateId));
        Assert.Equal(30, first.Trace.Count);
        Assert.Equal(30, calls.Count);
        Assert.Equal(calls.Count, calls.Distinct().Count());
        Assert.Equal(calls, first.Trace.Select(s => s.TemplateId));
        Assert.Equal(first.Trace.Max(s => s.Accuracy), first.BestAccuracy);
        Assert.Equal(first.Trace.First(s => s.Accuracy == first.BestAccuracy).TemplateId, first.Best.Id);
        Assert.All(first.Trace.Take(options.InitialSamples), s => Assert.Equal(ZopoStepReason.Init, s.Reason));
        Assert.All(first.Trace.Skip(options.InitialSamples), s => Assert.True(s.PosteriorStd >= 0 && double.IsFinite(s.PosteriorMean)));
    }

    [Fact]
    public void BudgetLargerThanPoolEvaluatesEveryTemplateOnce()
    {
        (PromptPool pool, PlaneEmbedder embedder, var points) = PlanePool(12, seed: 5);
        ZopoResult result = new ZopoTemplateSelector(new ZopoOptions { Budget = 50 }, embedder).Select(pool, Landscape(points, 5));
        Assert.Equal(pool.Select(e => e.Id).Order(), result.Trace.Select(s => s.TemplateId).Order());
    }

    [Fact]
    public void RestartsAfterPatienceRunsOut()
    {
        (PromptPool pool, PlaneEmbedder embedder, _) = PlanePool(40, seed: 9);
        // A flat landscape never improves, so every Patience-th guided step must be a restart.
        ZopoResult result = new ZopoTemplateSelector(new ZopoOptions { Budget = 20, InitialSamples = 2, Patience = 3 }, embedder)
            .Select(pool, _ => 0.5);
        Assert.Contains(result.Trace, s => s.Reason == ZopoStepReason.Restart);
        for (int s = 1; s < result.Trace.Count; s++)
            if (result.Trace[s].Reason == ZopoStepReason.Restart)
                Assert.True(s >= 3);
    }

    [Fact]
    public void FindsTheBestTemplateMoreOftenThanRandomSearchWithTheSameBudget()
    {
        const int seeds = 30, poolSize = 120, budget = 20;
        int zopoHits = 0, randomHits = 0;
        for (int seed = 0; seed < seeds; seed++)
        {
            (PromptPool pool, PlaneEmbedder embedder, var points) = PlanePool(poolSize, seed);
            Func<PromptTemplate, double> accuracy = Landscape(points, seed);
            string best = pool.MaxBy(e => accuracy(e.Template))!.Id;

            ZopoResult result = new ZopoTemplateSelector(new ZopoOptions { Budget = budget, Seed = seed }, embedder).Select(pool, accuracy);
            if (result.Best.Id == best)
                zopoHits++;

            var random = new Random(seed + 1000);
            string randomPick = pool.OrderBy(_ => random.Next()).Take(budget).MaxBy(e => accuracy(e.Template))!.Id;
            if (randomPick == best)
                randomHits++;
        }
        Assert.True(zopoHits >= randomHits + 8, $"ZOPO found the best template {zopoHits}/{seeds} times, random search {randomHits}/{seeds}.");
    }

    [Fact]
    public void NeuralTangentKernelSearchAlsoRuns()
    {
        (PromptPool pool, PlaneEmbedder embedder, var points) = PlanePool(30, seed: 2);
        ZopoResult result = new ZopoTemplateSelector(new ZopoOptions { Budget = 10, Kernel = ZopoKernel.NeuralTangent }, embedder)
            .Select(pool, Landscape(points, 2));
        Assert.Equal(10, result.Trace.Select(s => s.TemplateId).Distinct().Count());
    }

    [Fact]
    public void ScorerOverloadUsesValidationAccuracyWithTheDefaultEmbedder()
    {
        TaskDefinition task = TaskDefinition.Piqa;
        PromptPool pool = new OfflineTemplateGenerator(task).GeneratePool(25, seed: 1);
        TaskExample[] rows = Enumerable.Range(0, 10)
            .Select(i => new TaskExample(new Dictionary<string, string> { ["goal"] = $"goal {i}", ["sol1"] = "one", ["sol2"] = "two" }, i % 2))
            .ToArray();
        // Answers correctly only under templates whose options are labelled "(A)".
        var scorer = new FakeScorer(prompts => prompts.Select(p => p.Contains("(A)") ? int.Parse(p.Split("goal ")[1].Split('\n', ' ')[0]) % 2 : 1 - int.Parse(p.Split("goal ")[1].Split('\n', ' ')[0]) % 2).ToArray());

        ZopoResult result = new ZopoTemplateSelector(new ZopoOptions { Budget = 25 }).Select(pool, task, rows, scorer);

        Assert.Contains("(A)", result.Best.DisplayText);
        Assert.Equal(1.0, result.BestAccuracy);
        Assert.All(result.Trace, s => Assert.Equal(pool.TryGet(s.TemplateId, out var e) && e.Template.DisplayText.Contains("(A)") ? 1.0 : 0.0, s.Accuracy));
    }

    [Fact]
    public void EmbeddingsOfDifferentLengthsNameTheTemplate()
    {
        PromptPool pool = PromptPool.FromTemplates([PromptTemplate.Parse("a {ctx}", "first"), PromptTemplate.Parse("b {ctx}", "second")]);
        var embedder = new PlaneEmbedder(new Dictionary<string, float[]> { ["a {ctx}"] = [1, 0], ["b {ctx}"] = [1, 0, 0] });
        var error = Assert.Throws<ArgumentException>(() => new ZopoTemplateSelector(embedder: embedder).Select(pool, _ => 0.5));
        Assert.Contains("'second'", error.Message);
    }

    [Fact]
    public void RowMissingAFieldIsNamed()
    {
        TaskDefinition task = TaskDefinition.Piqa;
        PromptPool pool = new OfflineTemplateGenerator(task).GeneratePool(3, seed: 1);
        TaskExample[] rows = [new(new Dictionary<string, string> { ["goal"] = "g", ["sol1"] = "a" }, 0, "valid.jsonl:4")];
        var error = Assert.Throws<ArgumentException>(() => new ZopoTemplateSelector().Select(pool, task, rows, new FakeScorer(p => p.Select(_ => 0).ToArray())));
        Assert.Contains("valid.jsonl:4", error.Message);
        Assert.Contains("sol2", error.Message);
    }
}
