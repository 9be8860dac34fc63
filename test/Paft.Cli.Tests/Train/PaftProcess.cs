using System.Diagnostics;

namespace Paft.Cli.Tests.Train;

/// <summary>The built CLI (copied beside the tests) as a real child process, for tests that kill, stop or limit it.</summary>
internal static class PaftProcess
{
    /// <summary>
    /// Starts <c>paft</c> with <paramref name="arguments"/>; standard output is drained as it comes (so a full pipe never
    /// blocks the child), standard error is left for the caller. With <paramref name="ignoreFileSizeSignal"/> it starts
    /// through a shell that ignores SIGXFSZ, so that a file-size limit makes writes fail (EFBIG) instead of killing it.
    /// </summary>
    public static Process Start(IEnumerable<string> arguments, bool ignoreFileSizeSignal = false)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(ignoreFileSizeSignal ? "/bin/sh" : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        IEnumerable<string> prefix = ignoreFileSizeSignal ? ["-c", "trap '' XFSZ; exec \"$@\"", "sh", dotnet] : [];
        foreach (string argument in prefix.Append(Path.Combine(AppContext.BaseDirectory, "paft.dll")).Concat(arguments))
            start.ArgumentList.Add(argument);
        Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>Runs <c>paft</c> to its end and checks it succeeded.</summary>
    public static void RunToEnd(IEnumerable<string> arguments, bool ignoreFileSizeSignal = false)
    {
        using Process process = Start(arguments, ignoreFileSizeSignal);
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"paft exited with {process.ExitCode}: {error}");
    }

    /// <summary>Steps of <see cref="CheckpointedRun"/>: 4 rows, batch 1, 3 epochs.</summary>
    public const int CheckpointedRunSteps = 12;

    /// <summary>
    /// The run the interruption tests stop and resume: <see cref="CheckpointedRunSteps"/> steps on the workflow fixture,
    /// a checkpoint after every step, so an interruption anywhere has a checkpoint just behind it.
    /// </summary>
    public static string[] CheckpointedRun(string output, string pool) =>
    [
        "train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa, "--prompts", pool,
        "--limit", "4", "--batch-size", "1", "--epochs", "3", "--lr", "1e-3", "--max-length", "128", "--checkpoint-every", "1", "--out", output,
    ];

    /// <summary>A training log's rows without the tokens_per_second column (wall-clock timing, different in every run).</summary>
    public static string[] RowsWithoutTiming(string path) =>
        File.ReadAllLines(path).Select(line =>
        {
            string[] cells = line.Split(',');
            return string.Join(',', cells.Take(4).Concat(cells.Skip(5)));
        }).ToArray();
}
