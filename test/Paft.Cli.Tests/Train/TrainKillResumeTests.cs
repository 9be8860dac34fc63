using System.Diagnostics;
using Paft.Cli.Reporting;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary>
/// Issue 13: a real <c>paft train</c> process killed with SIGKILL mid-run, then resumed, leaves a training log with one row
/// per step, identical to an uninterrupted run's apart from the timing column (it used to hold only the rows since the
/// resume: 7 of 32).
/// </summary>
public sealed class TrainKillResumeTests : IDisposable
{
    private const int Steps = PaftProcess.CheckpointedRunSteps;
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    [SharedFact]
    public void KilledRun_ResumedToTheEnd_HasTheUninterruptedRunsLog()
    {
        string pool = _data.WritePool();
        PaftProcess.RunToEnd(PaftProcess.CheckpointedRun(_data.PathOf("whole"), pool));

        string killed = _data.PathOf("killed");
        string checkpoint = Path.Combine(killed + "-checkpoints", "checkpoint-00000005");
        using (Process process = PaftProcess.Start(PaftProcess.CheckpointedRun(killed, pool)))
        {
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            while (!Directory.Exists(checkpoint) && !process.HasExited)
                Thread.Sleep(5);
            process.Kill(); // SIGKILL: no handler runs, nothing is flushed
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "paft_model.json")), "the run finished before it could be killed");
        int loggedAtKill = TrainingLog.Load(Path.Combine(killed + "-checkpoints", TrainingLog.FileName)).Entries.Count;
        Assert.InRange(loggedAtKill, 4, Steps - 1);

        PaftProcess.RunToEnd([.. PaftProcess.CheckpointedRun(killed, pool), "--resume"]);

        string[] expected = PaftProcess.RowsWithoutTiming(_data.PathOf("whole", TrainingLog.FileName));
        string[] actual = PaftProcess.RowsWithoutTiming(Path.Combine(killed, TrainingLog.FileName));
        Assert.Equal(Steps + 1, expected.Length);
        Assert.Equal(expected, actual);
    }
}
