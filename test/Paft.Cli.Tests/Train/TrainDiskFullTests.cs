using System.Diagnostics;
using System.Globalization;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary>
/// Issue 13: a disk that fills up during <c>paft train</c> (a row of training_log.csv was lost that way). A real
/// <c>paft train</c> process is stopped (SIGSTOP) after its fifth logged step, its file-size limit is set to 0 bytes
/// (<c>prlimit --fsize</c>, no root needed; SIGXFSZ ignored, so every write that would grow a file fails with EFBIG
/// as it would with ENOSPC on a full disk), and it is continued. It must end with one line naming the file it could
/// not write and exit 2, losing no row of the log and not the last checkpoint; a <c>--resume</c> once there is space
/// again ends with the log an uninterrupted run writes, apart from the timing column.
/// </summary>
public sealed class TrainDiskFullTests : IDisposable
{
    private const int Steps = PaftProcess.CheckpointedRunSteps;
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private static void Run(string program, params string[] arguments)
    {
        using Process process = Process.Start(program, arguments);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}");
    }

    private static Dictionary<string, byte[]> Files(string folder) =>
        Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [SharedFact]
    public void DiskFullMidRun_IsOneLineNamingTheFile_ExitTwo_LosesNothing_AndResumeEndsWithTheUninterruptedLog()
    {
        if (!OperatingSystem.IsLinux())
            return; // prlimit(1) and SIGSTOP
        string pool = _data.WritePool();
        string whole = _data.PathOf("whole");
        PaftProcess.RunToEnd(PaftProcess.CheckpointedRun(whole, pool));

        string full = _data.PathOf("full");
        string checkpoints = full + "-checkpoints";
        string runningLog = Path.Combine(checkpoints, TrainingLog.FileName);
        string logAtFull, lastCheckpoint, error;
        Dictionary<string, byte[]> checkpointAtFull;
        int exit;
        using (Process process = PaftProcess.Start(PaftProcess.CheckpointedRun(full, pool), ignoreFileSizeSignal: true))
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            while (!process.HasExited && (!File.Exists(runningLog) || TrainingLog.Load(runningLog).Entries.Count < 5))
                Thread.Sleep(5);
            string pid = process.Id.ToString(CultureInfo.InvariantCulture);
            Run("kill", "-STOP", pid);
            Assert.False(process.HasExited, "the run finished before the disk could fill up");
            // What is on disk when the disk fills up: all of it must still be there afterwards.
            logAtFull = File.ReadAllText(runningLog);
            lastCheckpoint = Directory.GetDirectories(checkpoints, "checkpoint-*").Order(StringComparer.Ordinal).Last();
            checkpointAtFull = Files(lastCheckpoint);
            Run("prlimit", "--pid", pid, "--fsize=0:");
            Run("kill", "-CONT", pid);
            Assert.True(process.WaitForExit(120_000), "paft did not stop after the disk filled up");
            process.WaitForExit();
            exit = process.ExitCode;
            error = stderr.Result;
        }

        Assert.Equal(CommandExit.BadInput, exit);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: Could not write ", line);
        Assert.Contains($"'{checkpoints}{Path.DirectorySeparatorChar}", line); // the checkpoint or the log it could not write
        Assert.DoesNotContain(".tmp", line);
        Assert.False(File.Exists(Path.Combine(full, "paft_model.json")));
        Assert.StartsWith(logAtFull, File.ReadAllText(runningLog));
        Assert.Equal(checkpointAtFull, Files(lastCheckpoint));
        Assert.Empty(Directory.GetDirectories(checkpoints, ".checkpoint-*.tmp"));

        // Space again: the same command with --resume finishes the run.
        PaftProcess.RunToEnd([.. PaftProcess.CheckpointedRun(full, pool), "--resume"]);
        string[] expected = PaftProcess.RowsWithoutTiming(Path.Combine(whole, TrainingLog.FileName));
        Assert.Equal(Steps + 1, expected.Length);
        Assert.Equal(expected, PaftProcess.RowsWithoutTiming(Path.Combine(full, TrainingLog.FileName)));
    }
}
