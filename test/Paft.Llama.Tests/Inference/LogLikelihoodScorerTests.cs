using Paft.Llama.Inference;
using Paft.Tests.Common;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Inference;

public class LogLikelihoodScorerTests
{
    /// <summary>Sum of log P(token) over the continuation, from one plain forward of context + continuation.</summary>
    private static (double Sum, bool Greedy) ByHand(Paft.Llama.Modeling.LlamaForCausalLM model, IReadOnlyList<int> context, IReadOnlyList<int> continuation)
    {
        var all = context.Concat(continuation).Select(i => (long)i).ToArray();
        using var noGrad = no_grad();
        using var logits = model.forward(tensor(all, [1, all.Length], ScalarType.Int64));
        using var logProbs = logits[0].to(ScalarType.Float64).log_softmax(-1);
        double sum = 0;
        bool greedy = true;
        for (int j = 0; j < continuation.Count; j++)
        {
            int position = context.Count + j - 1;   // the logits at position p predict token p + 1
            sum += logProbs[position, continuation[j]].item<double>();
            greedy &= logProbs[position].argmax().item<long>() == continuation[j];
        }
        return (sum, greedy);
    }

    [Fact]
    public void ScoresEqualPerTokenLogProbsComputedByHand()
    {
        using var model = RandomModels.Create();
        var context = RandomModels.Ids(6, 97, seed: 1);
        int[][] continuations = [RandomModels.Ids(3, 97, 2), RandomModels.Ids(1, 97, 3), RandomModels.Ids(5, 97, 4), RandomModels.Ids(2, 97, 5)];

        var scores = new LogLikelihoodScorer(model).Score(context, continuations);
        Assert.Equal(4, scores.Count);
        for (int i = 0; i < continuations.Length; i++)
        {
            var (sum, greedy) = ByHand(model, context, continuations[i]);
            Assert.Equal(continuations[i].Length, scores[i].TokenCount);
            Assert.True(Math.Abs(scores[i].LogLikelihood - sum) < 1e-4, $"continuation {i}: {scores[i].LogLikelihood} vs {sum}");
            Assert.Equal(greedy, scores[i].IsGreedy);
            Assert.True(scores[i].LogLikelihood < 0);
        }
    }

    [Fact]
    public void GreedyContinuationIsFlaggedGreedy()
    {
        using var model = RandomModels.Create();
        var context = RandomModels.Ids(5, 97, seed: 8);
        var greedy = new LlamaGenerator(model).Generate(context, new GenerationOptions { MaxNewTokens = 4 });
        var scores = new LogLikelihoodScorer(model).Score(context, [greedy.ToArray(), RandomModels.Ids(4, 97, 99)]);
        Assert.True(scores[0].IsGreedy);
        Assert.True(scores[0].LogLikelihood > scores[1].LogLikelihood);
    }

    [Fact]
    public void BatchOfItemsEqualsItemsScoredAlone()
    {
        using var model = RandomModels.Create(RandomModels.TiedWithBias);
        var requests = Enumerable.Range(0, 5).Select(i => new ScoringRequest(
            RandomModels.Ids(2 + 3 * i % 7, 61, 10 + i),
            Enumerable.Range(0, 1 + i % 3).Select(c => (IReadOnlyList<int>)RandomModels.Ids(1 + (i + c) % 4, 61, 100 * i + c)).ToList())).ToList();
        requests.Add(new ScoringRequest([1, 2, 3], [Array.Empty<int>(), new[] { 4 }]));

        // Small batches force several groups; a large one puts every item in one left-padded group.
        var small = new LogLikelihoodScorer(model, maxRowsPerBatch: 2).ScoreBatch(requests);
        var large = new LogLikelihoodScorer(model, maxRowsPerBatch: 64).ScoreBatch(requests);
        for (int i = 0; i < requests.Count; i++)
        {
            for (int c = 0; c < requests[i].Continuations.Count; c++)
            {
                var cont = requests[i].Continuations[c];
                double expected = cont.Count == 0 ? 0 : ByHand(model, requests[i].Context, cont).Sum;
                Assert.True(Math.Abs(small[i][c].LogLikelihood - expected) < 1e-4, $"item {i}/{c} small: {small[i][c].LogLikelihood} vs {expected}");
                Assert.True(Math.Abs(large[i][c].LogLikelihood - expected) < 1e-4, $"item {i}/{c} large: {large[i][c].LogLikelihood} vs {expected}");
                Assert.Equal(cont.Count, large[i][c].TokenCount);
            }
        }
        Assert.Equal(0, large[^1][0].LogLikelihood);
    }

    [SharedFact]
    public void FixtureModelScoresMatchHandComputation()
    {
        using var model = Paft.Llama.Modeling.LlamaForCausalLM.FromPretrained(Fixtures.Model("stories260K"));
        int[] context = [1, 403, 407, 261];
        int[][] options = [[378, 432, 383], [300, 301], [378]];
        var scores = new LogLikelihoodScorer(model).Score(context, options);
        for (int i = 0; i < options.Length; i++)
            Assert.True(Math.Abs(scores[i].LogLikelihood - ByHand(model, context, options[i]).Sum) < 1e-4);
    }

    [Fact]
    public void EmptyContextIsRefused()
    {
        using var model = RandomModels.Create();
        var e = Assert.Throws<ArgumentException>(() => new LogLikelihoodScorer(model).Score([], [new[] { 3 }]));
        Assert.Contains("context is empty", e.Message);
    }
}
