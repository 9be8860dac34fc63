using System.CommandLine;

namespace Paft.Cli.Commands;

/// <summary>The list of top-level commands; one line a command.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return PromptsCommand.Create();
    }
}
