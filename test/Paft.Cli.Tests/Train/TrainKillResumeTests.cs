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
    private const int Steps = 12; // 4 rows, batch 1, 3 epochs
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private string[] Arguments(string output, string pool) =>
    [
        "train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa, "--prompts", pool,
        "--limit", "4", "--batch-size", "1", "--epochs", "3", "--lr", "1e-3", "--max-length", "128", "--checkpoint-every", "1", "--out", output,
    ];

    /// <summary>The built CLI (copied beside the tests) as a child process.</summary>
    private static Process Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "paft.dll"));
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        Process process = Process.Start(start)!;
        // Drained as they come, so that a full pipe never blocks the child.
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static void RunToEnd(IEnumerable<string> arguments)
    {
        using Process process = Start(arguments);
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"paft train exited with {process.ExitCode}: {error}");
    }

    /// <summary>The log's rows without the tokens_per_second column (wall-clock timing, different in every run).</summary>
    private static string[] RowsWithoutTiming(string path) =>
        File.ReadAllLines(path).Select(line =>
        {
            string[] cells = line.Split(',');
            return string.Join(',', cells.Take(4).Concat(cells.Skip(5)));
        }).ToArray();

    [SharedFact]
    public void KilledRun_ResumedToTheEnd_HasTheUninterruptedRunsLog()
    {
        string pool = _data.WritePool();
        RunToEnd(Arguments(_data.PathOf("whole"), pool));

        string killed = _data.PathOf("killed");
        string checkpoint = Path.Combine(killed + "-checkpoints", "checkpoint-00000005");
        using (Process process = Start(Arguments(killed, pool)))
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

        RunToEnd([.. Arguments(killed, pool), "--resume"]);

        string[] expected = RowsWithoutTiming(_data.PathOf("whole", TrainingLog.FileName));
        string[] actual = RowsWithoutTiming(Path.Combine(killed, TrainingLog.FileName));
        Assert.Equal(Steps + 1, expected.Length);
        Assert.Equal(expected, actual);
    }
}
