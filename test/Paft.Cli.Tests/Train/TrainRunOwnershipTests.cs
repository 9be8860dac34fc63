using System.Text.Json;
using Paft.Cli.Commands;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.Llama.Training;
using Paft.MLNet.Training;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary>
/// Issue 13: <c>--resume</c> continues only the run its checkpoints record (it used to accept another --lr, other --data or
/// another --prompts with the same row count); a fresh run does not replace another run's model or train among another
/// run's checkpoints without --force; two runs cannot write one --out at once.
/// </summary>
public sealed class TrainRunOwnershipTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private TrainCommandConfig Settings(string pool, bool resume = false, int epochs = 1, int checkpointEvery = 0) => new TrainCommandConfig
    {
        Model = WorkflowTestData.Model,
        Task = "piqa",
        Data = WorkflowTestData.Piqa,
        Prompts = pool,
        Limit = 8,
        BatchSize = 2,
        Epochs = epochs,
        Lr = 1e-3,
        CheckpointEvery = checkpointEvery,
        Out = _data.PathOf("paft"),
        Resume = resume,
    }.WithDefaults();

    /// <summary>A run cancelled (as by Ctrl+C) after step 2 of 4, leaving its checkpoint.</summary>
    private void CancelledRun(TrainCommandConfig settings)
    {
        using var cancel = new CancellationTokenSource();
        int exit = TrainCommandRunner.Run(settings, new StringWriter(), new StringWriter(), cancel.Token, p =>
        {
            if (p.Step == 2)
                cancel.Cancel();
        });
        Assert.Equal(CommandExit.Interrupted, exit);
    }

    private static string Refusal(Action run) => Assert.Throws<CommandInputException>(run).Message;

    [SharedFact]
    public void Resume_RefusesAnotherLrOtherDataOrAnotherPool_NamingTheSetting_AndResumesTheSameRun()
    {
        string pool = _data.WritePool();
        CancelledRun(Settings(pool));

        Assert.Contains("--lr 0.001", Refusal(() => TrainCommandRunner.Run(Settings(pool, resume: true) with { Lr = 5e-4 },
            new StringWriter(), new StringWriter(), CancellationToken.None)));
        Assert.Contains("this command has --lr 0.0005", Refusal(() => TrainCommandRunner.Run(Settings(pool, resume: true) with { Lr = 5e-4 },
            new StringWriter(), new StringWriter(), CancellationToken.None)));

        // Other data with the same number of rows (the trainer's own check compares only counts).
        string otherData = _data.PathOf("other.jsonl");
        File.WriteAllLines(otherData, File.ReadLines(WorkflowTestData.Piqa).Skip(8).Take(8));
        File.WriteAllLines(_data.PathOf("other-labels.lst"),
            File.ReadLines(Path.Combine(Path.GetDirectoryName(WorkflowTestData.Piqa)!, "valid-labels.lst")).Skip(8).Take(8));
        Assert.Contains("--data", Refusal(() => TrainCommandRunner.Run(Settings(pool, resume: true) with { Data = otherData },
            new StringWriter(), new StringWriter(), CancellationToken.None)));

        // The same pool file with another template in place of one (same count, same path): its content changed.
        string[] lines = File.ReadAllLines(pool);
        File.WriteAllLines(pool, [lines[0], lines[1], JsonSerializer.Serialize(new { id = "question", text = "Q: {goal}\n1) {sol1}\n2) {sol2}\nAnswer:" })]);
        string changed = Refusal(() => TrainCommandRunner.Run(Settings(pool, resume: true), new StringWriter(), new StringWriter(), CancellationToken.None));
        Assert.Contains("the content of --prompts", changed);
        Assert.Contains("SHA-256", changed);
        File.WriteAllLines(pool, lines);

        // A refused resume changed nothing: the same command resumes.
        var output = new StringWriter();
        Assert.Equal(CommandExit.Success, TrainCommandRunner.Run(Settings(pool, resume: true), output, new StringWriter(), CancellationToken.None));
        Assert.Contains("Resuming from", output.ToString());
    }

    [SharedFact]
    public void FreshRun_DoesNotReplaceAnotherRunsModel_OrTrainAmongItsCheckpoints_WithoutForce()
    {
        string pool = _data.WritePool();
        // The old run: 2 epochs, a checkpoint every step; the last two (steps 7 and 8) are kept.
        Assert.Equal(CommandExit.Success, TrainCommandRunner.Run(Settings(pool, epochs: 2, checkpointEvery: 1), new StringWriter(), new StringWriter(), CancellationToken.None));
        string checkpoints = _data.PathOf("paft-checkpoints");
        Assert.Equal([7, 8], TrainingCheckpoint.List(checkpoints).Select(c => c.Step).Order().ToArray());

        string model = Refusal(() => TrainCommandRunner.Run(Settings(pool, checkpointEvery: 1) with { Lr = 2e-3 }, new StringWriter(), new StringWriter(), CancellationToken.None));
        Assert.Contains("--checkpoint-dir", model);
        Assert.Contains("--force", model);
        Directory.Delete(TrainingCheckpoint.List(checkpoints)[0].Path, recursive: true);
        Directory.Delete(TrainingCheckpoint.List(checkpoints)[0].Path, recursive: true);
        string replace = Refusal(() => TrainCommandRunner.Run(Settings(pool, checkpointEvery: 1) with { Lr = 2e-3 }, new StringWriter(), new StringWriter(), CancellationToken.None));
        Assert.Contains("--out", replace);
        Assert.Contains("already holds a model", replace);

        // Put the old run's checkpoints back, then train the new run (4 steps) with --force.
        Assert.Equal(CommandExit.Success, TrainCommandRunner.Run(Settings(pool, epochs: 2, checkpointEvery: 1), new StringWriter(), new StringWriter(),
            CancellationToken.None, force: true));
        var output = new StringWriter();
        Assert.Equal(CommandExit.Success, TrainCommandRunner.Run(Settings(pool, checkpointEvery: 1) with { Lr = 2e-3 }, output, new StringWriter(),
            CancellationToken.None, force: true));
        Assert.Contains("Discarded 2 checkpoint(s) of an earlier run", output.ToString());
        // Pruning by step number used to keep the old run's 7 and 8 and delete the new run's.
        Assert.Equal([3, 4], TrainingCheckpoint.List(checkpoints).Select(c => c.Step).Order().ToArray());
        Assert.Equal([1, 2, 3, 4], TrainingLog.Load(_data.PathOf("paft", TrainingLog.FileName)).Entries.Select(e => e.Step).ToArray());
    }

    [Fact]
    public void Lock_StopsASecondRunOnTheSameOut_AndAStaleLockIsTakenOver()
    {
        string output = _data.PathOf("locked");
        using (TrainOutputLock.Acquire(output, new StringWriter()))
        {
            var error = Assert.Throws<CommandInputException>(() => TrainOutputLock.Acquire(output, new StringWriter()));
            Assert.Contains($"--out '{output}' is in use by another paft train", error.Message);
            Assert.Contains(TrainOutputLock.PathFor(output), error.Message);
        }
        Assert.False(File.Exists(TrainOutputLock.PathFor(output)));

        // A lock file whose process died (nothing holds it open): taken over, with a message.
        File.WriteAllText(TrainOutputLock.PathFor(output), "4242\n");
        var note = new StringWriter();
        using (TrainOutputLock.Acquire(output, note))
            Assert.Contains("took over the stale lock", note.ToString());
        Assert.Contains("process 4242", note.ToString());
    }

    [SharedFact]
    public void TrainCommand_OnALockedOut_IsOneLineExitTwo()
    {
        string output = _data.PathOf("busy");
        using TrainOutputLock held = TrainOutputLock.Acquire(output, new StringWriter());
        Prompts.CliRunner.Result result = Prompts.CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", _data.WritePool(), "--limit", "2", "--out", output);
        Assert.Equal(CommandExit.BadInput, result.ExitCode);
        Assert.Equal($"error: --out '{output}' is in use by another paft train (lock file '{TrainOutputLock.PathFor(output)}'); wait for it to finish or choose another --out.",
            result.Error.Trim());
    }
}
