using Paft.Cli.Commands;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.Llama.Training;
using Paft.MLNet.Training;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary>
/// Issue 13: the training log has no gap after a stop that lands between a checkpoint and its step's row (a kill, or a full
/// disk failing the row's write): the checkpoint ahead of the log is set aside and that step is trained and logged again.
/// </summary>
public sealed class TrainLogContinuityTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private TrainCommandConfig Settings(string pool, bool resume) => new TrainCommandConfig
    {
        Model = WorkflowTestData.Model,
        Task = "piqa",
        Data = WorkflowTestData.Piqa,
        Prompts = pool,
        Limit = 8,
        BatchSize = 2,
        Epochs = 1,
        Lr = 1e-3,
        CheckpointEvery = 1,
        Out = _data.PathOf("paft"),
        Resume = resume,
    }.WithDefaults();

    [SharedFact]
    public void CheckpointAheadOfTheLog_IsSetAside_AndItsStepIsLoggedAgain()
    {
        string pool = _data.WritePool();
        var firstRun = new List<PaftProgress>();
        using (var cancel = new CancellationTokenSource())
        {
            int exit = TrainCommandRunner.Run(Settings(pool, resume: false), new StringWriter(), new StringWriter(), cancel.Token, p =>
            {
                firstRun.Add(p);
                if (p.Step == 2)
                    cancel.Cancel();
            });
            Assert.Equal(CommandExit.Interrupted, exit);
        }
        string checkpoints = _data.PathOf("paft-checkpoints");
        Assert.Equal([1, 2], TrainingCheckpoint.List(checkpoints).Select(c => c.Step).Order().ToArray());
        // As if the process died after writing checkpoint 2 but before step 2's row reached the disk.
        string runningLog = Path.Combine(checkpoints, TrainingLog.FileName);
        File.WriteAllLines(runningLog, File.ReadAllLines(runningLog).Take(2));
        Assert.Equal([1], TrainingLog.Load(runningLog).Entries.Select(e => e.Step).ToArray());

        var output = new StringWriter();
        Assert.Equal(CommandExit.Success, TrainCommandRunner.Run(Settings(pool, resume: true), output, new StringWriter(), CancellationToken.None));

        Assert.Contains("Checkpoint of step 2 is ahead of the training log (last row: step 1)", output.ToString());
        Assert.Contains("checkpoint-00000001", output.ToString()); // resumed from step 1
        TrainingLog log = TrainingLog.Load(_data.PathOf("paft", TrainingLog.FileName));
        Assert.Equal([1, 2, 3, 4], log.Entries.Select(e => e.Step).ToArray());
        Assert.Equal(firstRun.First(p => p.Step == 2).Loss, log.Entries[1].Loss); // step 2 trained again from the same state
    }
}
