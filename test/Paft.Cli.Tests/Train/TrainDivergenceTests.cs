using Paft.Cli.Reporting;
using Paft.Cli.Tests.Prompts;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

public sealed class TrainDivergenceTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    [SharedFact]
    public void DivergedTraining_ExitsOneWithTheEnginesMessage_KeepsTheLossCurve_AndSavesNoModel()
    {
        // An absurd learning rate: the first update sends the adapter to infinity, a later step's gradient is NaN.
        CliRunner.Result result = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", _data.WritePool(), "--limit", "8", "--batch-size", "2", "--epochs", "1", "--lr", "1e30", "--out", _data.PathOf("m"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: training diverged: ", result.Error);
        Assert.Contains("--lr", result.Error);
        Assert.False(Directory.Exists(_data.PathOf("m")));
        TrainingLog log = TrainingLog.Load(_data.PathOf("m-checkpoints", TrainingLog.FileName));
        Assert.Equal(1, log.Entries[0].Step);
        Assert.True(double.IsFinite(log.Entries[0].Loss));
    }
}
