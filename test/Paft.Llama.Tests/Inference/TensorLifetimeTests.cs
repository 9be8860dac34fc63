using Paft.Llama.Inference;
using TorchSharp;

namespace Paft.Llama.Tests.Inference;

/// <summary>Long generations and scoring must not leave tensors behind (each would hold native memory).</summary>
public class TensorLifetimeTests
{
    private static long Live() => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [Fact]
    public void GenerationAndScoringLeaveNoLiveTensors()
    {
        using var model = RandomModels.Create();
        var generator = new LlamaGenerator(model);
        var scorer = new LogLikelihoodScorer(model);
        var prompt = RandomModels.Ids(5, 97, seed: 2);
        generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 2 });   // warm up lazily created state

        long before = Live();
        generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 40, Temperature = 0.8, TopP = 0.9, Seed = 1 });
        generator.Generate([prompt, prompt[..2]], new GenerationOptions { MaxNewTokens = 40 });
        scorer.Score(prompt, [RandomModels.Ids(3, 97, 4), RandomModels.Ids(6, 97, 5)]);
        Assert.Equal(before, Live());
    }
}
