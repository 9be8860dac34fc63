using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Selection;

public class HashedNgramEmbedderTests
{
    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

    [Fact]
    public void VectorsAreUnitLengthDeterministicAndIgnoreCaseAndSpacing()
    {
        var embedder = new HashedNgramEmbedder(["Choose the best ending.", "Which option is right?"], dimension: 64);
        float[] a = embedder.Embed("Choose the best ending.\n{ctx}");
        Assert.Equal(64, a.Length);
        Assert.Equal(1.0, Math.Sqrt(a.Sum(v => (double)v * v)), 5);
        Assert.Equal(a, new HashedNgramEmbedder(["Choose the best ending.", "Which option is right?"], dimension: 64).Embed("Choose the best ending.\n{ctx}"));
        Assert.Equal(a, embedder.Embed("choose  THE best ending. {ctx}"));
    }

    [Fact]
    public void SimilarWordingIsCloserThanDifferentWording()
    {
        var embedder = new HashedNgramEmbedder();
        float[] anchor = embedder.Embed("Choose the best ending for the passage below.\n{ctx}\nAnswer:");
        float[] near = embedder.Embed("Choose the best ending for the story below.\n{ctx}\nAnswer:");
        float[] far = embedder.Embed("Q: what happens next?? {ctx} -> reply");
        Assert.True(Distance(anchor, near) < Distance(anchor, far));
    }

    [Fact]
    public void SearchOverOfflinePoolFindsAHiddenBestTemplateMoreOftenThanRandom()
    {
        // The example landscape: accuracy falls with the distance to a hidden best template, in the embedder's own space.
        TaskDefinition task = TaskDefinition.Piqa;
        int zopoHits = 0, randomHits = 0;
        const int seeds = 10, budget = 15;
        for (int seed = 0; seed < seeds; seed++)
        {
            PromptPool pool = new OfflineTemplateGenerator(task).GeneratePool(80, seed);
            var embedder = new HashedNgramEmbedder(pool.Templates.Select(t => t.DisplayText));
            var vectors = pool.ToDictionary(e => e.Id, e => embedder.Embed(e.Template.DisplayText));
            string hidden = pool[new Random(seed).Next(pool.Count)].Id;
            double Accuracy(PromptTemplate t) => 0.9 - 0.5 * Distance(vectors[t.Id], vectors[hidden]);

            if (new ZopoTemplateSelector(new ZopoOptions { Budget = budget, Seed = seed }, embedder).Select(pool, Accuracy).Best.Id == hidden)
                zopoHits++;
            var random = new Random(seed + 1000);
            if (pool.OrderBy(_ => random.Next()).Take(budget).MaxBy(e => Accuracy(e.Template))!.Id == hidden)
                randomHits++;
        }
        Assert.True(zopoHits >= randomHits + 4, $"ZOPO found the hidden template {zopoHits}/{seeds} times, random search {randomHits}/{seeds}.");
    }
}
