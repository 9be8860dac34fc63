using Paft.Cli.Commands;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.MLNet.Training;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

public sealed class TrainResumeTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private TrainCommandConfig Settings(bool resume) => new TrainCommandConfig
    {
        Model = WorkflowTestData.Model,
        Task = "piqa",
        Data = WorkflowTestData.Piqa,
        Prompts = _data.WritePool(),
        Limit = 8,
        BatchSize = 2,
        Epochs = 1,
        Lr = 1e-3,
        Out = _data.PathOf("paft"),
        Resume = resume,
    }.WithDefaults();

    [SharedFact]
    public void CancelledRun_KeepsACheckpoint_AndResumeContinuesFromIt()
    {
        // 8 rows, batch 2, 1 epoch: 4 steps. Cancel (as Ctrl+C does) once step 2 is reported.
        using var cancel = new CancellationTokenSource();
        var firstRun = new List<PaftProgress>();
        var error = new StringWriter();
        int exit = TrainCommandRunner.Run(Settings(resume: false), new StringWriter(), error, cancel.Token, p =>
        {
            firstRun.Add(p);
            if (p.Step == 2)
                cancel.Cancel();
        });

        Assert.Equal(CommandExit.Interrupted, exit);
        Assert.Contains("--resume", error.ToString());
        Assert.False(File.Exists(_data.PathOf("paft", "paft_model.json")));       // nothing half-saved
        string checkpoints = _data.PathOf("paft-checkpoints");
        // The checkpoint written on cancellation holds step 2 (no --checkpoint-every was given).
        Assert.Equal(Path.Combine(checkpoints, "checkpoint-00000002"), Paft.Llama.Training.LoraTrainer.FindLatestCheckpoint(checkpoints));
        Assert.Equal([1, 2], TrainingLog.Load(Path.Combine(checkpoints, TrainingLog.FileName)).Entries.Select(e => e.Step).ToArray());

        var secondRun = new List<PaftProgress>();
        var output = new StringWriter();
        exit = TrainCommandRunner.Run(Settings(resume: true), output, new StringWriter(), CancellationToken.None, secondRun.Add);

        Assert.Equal(CommandExit.Success, exit);
        Assert.Contains("Resuming from", output.ToString());
        Assert.Equal(3, secondRun[0].Step);                                        // steps 1-2 are not trained again
        Assert.Equal(4, secondRun[^1].Step);
        TrainingLog log = TrainingLog.Load(_data.PathOf("paft", TrainingLog.FileName));
        Assert.Equal([1, 2, 3, 4], log.Entries.Select(e => e.Step).ToArray());    // one curve across both runs
        Assert.Equal(firstRun.First(p => p.Step == 2).Loss, log.Entries[1].Loss);
        Assert.Equal(secondRun.First(p => p.Step == 4).Loss, log.Entries[3].Loss);
        Assert.True(File.Exists(_data.PathOf("paft", "paft_model.json")));
        Assert.True(File.Exists(_data.PathOf("paft", TrainCommandRunner.ConfigFileName)));
    }
}
