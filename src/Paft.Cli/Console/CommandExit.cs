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
            error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
    }

    internal static bool IsBadInput(Exception e) =>
        e is CommandInputException or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException
            or FormatException or JsonException or InvalidOperationException;
}
