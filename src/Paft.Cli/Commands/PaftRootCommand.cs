using System.CommandLine;
using Paft.Cli.Terminal;

namespace Paft.Cli.Commands;

/// <summary>The <c>paft</c> command tree, and its one top-level error path.</summary>
internal static class PaftRootCommand
{
    /// <summary><c>--verbose</c>, accepted by every command: errors then come with their stack trace.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "On an error, also write the stack trace (for a bug report).",
        Recursive = true,
    };

    public static RootCommand Create()
    {
        var root = new RootCommand("paft: Prompt-Agnostic Fine-Tuning of LLaMA models for .NET") { Verbose };
        foreach (Command command in CommandRegistry.All())
            root.Subcommands.Add(command);
        return root;
    }

    /// <summary>
    /// Parses and runs a command line. Every exception a command lets escape ends here and becomes one line and an exit code
    /// (<see cref="CommandExit.Report"/>), never System.CommandLine's stack trace. Ctrl+C is left to the commands
    /// (<see cref="CancelKeyScope"/>), so that System.CommandLine does not end the process two seconds after it.
    /// </summary>
    public static int Invoke(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        ParseResult parseResult = Create().Parse(args);
        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        if (output is not null)
            configuration.Output = output;
        if (error is not null)
            configuration.Error = error;
        try
        {
            return parseResult.Invoke(configuration);
        }
        catch (Exception e)
        {
            return CommandExit.Report(e, configuration.Error, IsVerbose(parseResult));
        }
    }

    /// <summary>Whether the command line asks for <c>--verbose</c> (false for a tree built without it).</summary>
    internal static bool IsVerbose(ParseResult parseResult)
    {
        try
        {
            return parseResult.GetValue(Verbose);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
