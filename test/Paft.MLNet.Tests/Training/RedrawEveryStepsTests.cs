using Microsoft.ML;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;
using Paft.Tests.Common;

namespace Paft.MLNet.Tests.Training;

/// <summary>
/// The paper's K through the public API: <see cref="PaftTrainerOptions.RedrawEverySteps"/> holds one template for
/// K optimizer steps (every row of their micro-batches, across gradient accumulation), redraws after them, and
/// draws anew every epoch. Trained on the tiny random Llama 2 fixture; only the reported template ids are checked.
/// </summary>
public class RedrawEveryStepsTests
{
    private static string ModelDir => SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");

    // Eight templates: with seed 1 every pair of neighbouring groups below draws two different templates
    // (checked when the test was written; with the old row-wise draw the ids changed inside groups).
    private static readonly PromptTemplate[] Pool = Enumerable.Range(0, 8)
        .Select(i => PromptTemplate.Parse($"Wording {i}. {{goal}}\nA. {{sol1}}\nB. {{sol2}}\nAnswer:", $"w{i}"))
        .ToArray();

    private static IDataView Rows(int count) => Enumerable.Range(0, count)
        .Select(i => new TaskExample(new Dictionary<string, string>
        {
            ["goal"] = $"keep item {i} dry",
            ["sol1"] = i % 2 == 0 ? "put it in a bag" : "leave it out",
            ["sol2"] = i % 2 == 0 ? "leave it out" : "put it in a bag",
        }, i % 2))
        .ToDataView(TaskDefinition.Piqa);

    [SharedTheory]
    [InlineData(16, 1, 2, 2)] // 2 rows (micro-batches of 1) a step: 8 steps an epoch, 4 groups of 2 steps
    [InlineData(10, 2, 1, 2)] // 5 steps an epoch: groups of 2, 2 and 1 step (an epoch's last group may be shorter)
    [InlineData(12, 1, 1, 3)] // 12 steps an epoch, 4 groups of 3 steps, no accumulation
    public void OneTemplateIsHeldForKSteps_RedrawnAfterThem_AnewEveryEpoch(int rows, int batchSize, int accumulation, int k)
    {
        var steps = new List<PaftProgress>();
        var options = new PaftTrainerOptions
        {
            ModelPath = ModelDir,
            Task = TaskDefinition.Piqa,
            TrainingTemplates = Pool,
            RedrawEverySteps = k,
            BatchSize = batchSize,
            GradientAccumulationSteps = accumulation,
            Epochs = 2,
            LearningRate = 1e-3,
            MaxLength = 64,
            Seed = 1,
            Progress = new Collect(p =>
            {
                if (steps.Count == 0 || steps[^1].Step != p.Step) steps.Add(p); // the epoch report repeats its last step
            }),
        };

        new MLContext(1).Paft().Trainers.PromptAgnosticFineTuning(options).Fit(Rows(rows));

        int stepsPerEpoch = ((rows + batchSize - 1) / batchSize + accumulation - 1) / accumulation;
        Assert.Equal(Enumerable.Range(1, 2 * stepsPerEpoch), steps.Select(s => s.Step));
        var drawsOfEpoch = new List<string[]>();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            PaftProgress[] epochSteps = steps.Where(s => s.Epoch == epoch).ToArray();
            Assert.Equal(stepsPerEpoch, epochSteps.Length);
            Assert.All(epochSteps, s => Assert.Single(s.TemplateIds)); // every row of a step's micro-batches: one template
            string[][] groups = epochSteps.Select(s => s.TemplateIds[0]).Chunk(k).ToArray();
            Assert.All(groups, g => Assert.Single(g.Distinct()));       // held for K steps
            string[] draws = groups.Select(g => g[0]).ToArray();
            for (int g = 1; g < draws.Length; g++)
                Assert.NotEqual(draws[g - 1], draws[g]);                  // redrawn after them
            drawsOfEpoch.Add(draws);
        }
        Assert.NotEqual(drawsOfEpoch[0], drawsOfEpoch[1]);                // anew every epoch
    }

    /// <summary>Calls back on the training thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class Collect(Action<PaftProgress> report) : IProgress<PaftProgress>
    {
        public void Report(PaftProgress value) => report(value);
    }
}
