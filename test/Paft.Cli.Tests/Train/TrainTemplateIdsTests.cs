using Paft.Cli.Reporting;
using Paft.Cli.Tests.Prompts;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary><c>paft train --k K</c> holds one template for K optimizer steps, and <c>training_log.csv</c> shows it.</summary>
public sealed class TrainTemplateIdsTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    [SharedFact]
    public void TrainWithK4_LogsOneTemplateIdAStep_ConstantWithinEachGroupOf4Steps_ChangingBetweenGroups()
    {
        string model = _data.PathOf("paft");
        // 16 rows, batch 1: 16 steps, 4 groups of 4. With seed 1 neighbouring groups of the 3-template pool draw
        // different templates (checked when the test was written), so a change inside a group or none between is a failure.
        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", _data.WritePool(), "--limit", "16", "--batch-size", "1", "--epochs", "1", "--k", "4", "--seed", "1",
            "--lr", "1e-3", "--out", model);

        Assert.True(train.ExitCode == 0, train.Error);
        string path = Path.Combine(model, TrainingLog.FileName);
        Assert.StartsWith("step,epoch,loss,learning_rate,tokens_per_second,validation_accuracy,template_ids\n", File.ReadAllText(path));
        TrainingLogEntry[] steps = TrainingLog.Load(path).Entries.ToArray();
        Assert.Equal(Enumerable.Range(1, 16), steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.Contains(Assert.Single(s.TemplateIdList), WorkflowTestData.PoolIds));
        string[][] groups = steps.Select(s => s.TemplateIds).Chunk(4).ToArray();
        Assert.All(groups, g => Assert.Single(g.Distinct()));
        for (int g = 1; g < groups.Length; g++)
            Assert.NotEqual(groups[g - 1][0], groups[g][0]);
    }
}
