using Microsoft.ML;
using Paft.MLNet;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;

namespace Paft.Demo.Tests;

/// <summary>
/// The paper's comparison on the demo's task through the public API only, as a user would write it: the base
/// from <see cref="DemoRecipe.PretrainBase"/>, then SFT and PAFT with <c>mlContext.Paft()</c>'s trainers from
/// <see cref="PaftRecipes.SmallModel"/>, evaluated with <c>mlContext.Paft().Evaluate</c> on the unseen test templates.
/// </summary>
[Collection(SerialTorchWork.Name)]
public sealed class PublicApiOnDemoTaskTests
{
    [Fact]
    public void PaftLearnsTheTaskOnUnseenTemplatesWhereSingleTemplateSftLearnsItsTemplate()
    {
        using var folder = new TempFolder();
        DemoBase demo = DemoRecipe.PretrainBase(new DemoOptions { OutputDirectory = folder.Path });
        var mlContext = new MLContext(seed: 1);
        PaftTrainerOptions options = PaftRecipes.SmallModel();
        options.ModelPath = demo.Directory;
        options.Task = demo.Task;
        options.TrainingTemplates = demo.TrainTemplates;
        options.Seed = 2502;
        IDataView train = demo.Splits.Train.ToDataView(demo.Task), test = demo.Splits.Test.ToDataView(demo.Task);

        PaftTransformer sft = mlContext.Paft().Trainers.SupervisedFineTuning(options, demo.TrainTemplates[0]).Fit(train);
        PaftTransformer paft = mlContext.Paft().Trainers.PromptAgnosticFineTuning(options).Fit(train);
        PromptRobustnessMetrics sftOwn = mlContext.Paft().Evaluate(sft, test, [demo.TrainTemplates[0]]);
        PromptRobustnessMetrics sftUnseen = mlContext.Paft().Evaluate(sft, test, demo.TestTemplates);
        PromptRobustnessMetrics paftUnseen = mlContext.Paft().Evaluate(paft, test, demo.TestTemplates);

        // The paper's premise: SFT learns the template it was trained on.
        Assert.True(sftOwn.MeanAccuracy >= 0.8, $"SFT on its own template: {sftOwn.MeanAccuracy:P1}");
        Assert.True(paftUnseen.MeanAccuracy >= 0.8, $"PAFT's mean over unseen templates: {paftUnseen.MeanAccuracy:P1}");
        // The worst template is the figure most sensitive to the CPU's float kernels (seed 2502: 69.8% on the AMD EPYC of
        // docs/benchmarks.md, 47.9% on a KVM Intel Xeon): asserted well above chance (25%), not at either value.
        Assert.True(paftUnseen.MinAccuracy >= 0.4, $"PAFT's worst unseen template: {paftUnseen.MinAccuracy:P1}");
        Assert.True(sftUnseen.MeanAccuracy <= paftUnseen.MeanAccuracy - 0.2,
            $"SFT's mean over unseen templates {sftUnseen.MeanAccuracy:P1} is not 20 points below PAFT's {paftUnseen.MeanAccuracy:P1}");
    }
}
