using Paft.Cli.Commands;

namespace Paft.Cli.Tests.Prompts;

/// <summary>Runs the <c>paft</c> command tree in-process with captured output (no global Console redirection, so tests may run in parallel).</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = PaftRootCommand.Invoke(args, output, error);
        return new Result(exitCode, output.ToString(), error.ToString());
    }
}
