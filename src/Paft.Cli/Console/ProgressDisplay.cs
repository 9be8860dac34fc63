using Spectre.Console;

namespace Paft.Cli.Terminal;

/// <summary>
/// Shows the progress of a long command: a live Spectre.Console bar on a terminal, plain lines otherwise
/// (when standard output is redirected, or the command writes to another writer such as a test's).
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Time between two plain progress lines (the first and last are always written).</summary>
    public static readonly TimeSpan PlainLineInterval = TimeSpan.FromSeconds(2);

    /// <summary>Whether <paramref name="output"/> is the process's own terminal.</summary>
    public static bool IsInteractive(TextWriter output) =>
        ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, showing what it reports.</summary>
    public static T Run<T>(TextWriter output, string title, Func<IProgress<ProgressUpdate>, T> work)
    {
        if (!IsInteractive(output))
            return work(new PlainProgressLines(output, title, PlainLineInterval));

        return AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(title), autoStart: true, maxValue: 1);
                return work(new LiveProgress(task, title));
            });
    }

    /// <summary>Moves the live bar; the description carries the count and the status text.</summary>
    private sealed class LiveProgress(ProgressTask task, string title) : IProgress<ProgressUpdate>
    {
        public void Report(ProgressUpdate value)
        {
            task.MaxValue = Math.Max(1, value.Total);
            task.Value = value.Done;
            task.Description = Markup.Escape($"{title} {value.Done}/{value.Total} {value.Details}");
        }
    }
}
