using System.CommandLine;
using System.Text.Json;

// The folder is Console/, but the namespace is not Paft.Cli.Console: that name would hide System.Console
// from every file under the Paft.Cli namespace.
namespace Paft.Cli.Terminal;

/// <summary>Exit codes of the workflow commands and the one place that turns bad input into a one-line error.</summary>
internal static class CommandExit
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command ran but failed at its task (e.g. training diverged).</summary>
    public const int Failed = 1;

    /// <summary>An input, flag or configuration could not be used; nothing already written was lost.</summary>
    public const int BadInput = 2;

    /// <summary>The user interrupted the command (Ctrl+C), the conventional 128 + SIGINT.</summary>
    public const int Interrupted = 130;

    /// <summary>An unexpected error: a bug in paft (EX_SOFTWARE of sysexits.h).</summary>
    public const int Bug = 70;

    /// <summary>Where bugs are reported.</summary>
    public const string IssuesUrl = "https://github.com/paft-mlnet/Paft.MLNet/issues";

    /// <summary>
    /// Runs a command body; the errors that bad input causes (missing or malformed file, row or key,
    /// unknown task, out-of-range value, checkpoint of another run) become one line on standard error
    /// and <see cref="BadInput"/>.
    /// </summary>
    public static int Run(ParseResult parseResult, Func<TextWriter, TextWriter, int> body)
    {
        TextWriter output = parseResult.InvocationConfiguration.Output;
        TextWriter error = parseResult.InvocationConfiguration.Error;
        try
        {
            return body(output, error);
        }
        catch (Exception e) when (IsBadInput(e))
        {
            return Report(e, error, Paft.Cli.Commands.PaftRootCommand.IsVerbose(parseResult));
        }
    }

    /// <summary>
    /// The one place every command's failure ends (<see cref="Run"/> and the top level of the program): bad input is one line
    /// and <see cref="BadInput"/>; an interruption is one line and <see cref="Interrupted"/>; anything else is a bug, said so
    /// in two lines with where to report it, and <see cref="Bug"/>. The stack trace is written only when <paramref name="verbose"/>.
    /// </summary>
    public static int Report(Exception e, TextWriter error, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(e);
        e = Unwrap(e);
        int code;
        if (e is OperationCanceledException)
        {
            error.WriteLine("Interrupted.");
            code = Interrupted;
        }
        else if (IsBadInput(e))
        {
            code = ReportBadInput(e, error);
        }
        else
        {
            error.WriteLine($"error: unexpected {e.GetType().Name}: {OneLine(e.Message)}");
            error.WriteLine($"This is a bug in paft. Please report it at {IssuesUrl} with the command line" +
                            (verbose ? " and the trace below." : " and the output of the same command with --verbose."));
            code = Bug;
        }
        if (verbose)
            error.WriteLine(e.ToString());
        return code;
    }

    private static int ReportBadInput(Exception e, TextWriter error)
    {
        error.WriteLine($"error: {OneLine(e.Message)}");
        return BadInput;
    }

    /// <summary>A message on one line: a multi-line message (a server's reply, an inner trace) would break the one-line contract.</summary>
    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is not null)
            e = e.InnerException!;
        return e;
    }

    /// <summary>
    /// Failures of the input rather than of paft: files, flags, configurations, servers named on the command line,
    /// a prompt longer than --max-length.
    /// </summary>
    internal static bool IsBadInput(Exception e) =>
        e is CommandInputException or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException
            or FormatException or JsonException or InvalidOperationException or NotSupportedException
            or Paft.MLNet.Training.PromptTooLongException or HttpRequestException or TimeoutException;
}
