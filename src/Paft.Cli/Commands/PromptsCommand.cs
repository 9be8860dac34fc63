using System.CommandLine;

namespace Paft.Cli.Commands;

/// <summary><c>paft prompts</c>: work with prompt template pools (validate, generate, split, stats).</summary>
internal static class PromptsCommand
{
    public static Command Create()
    {
        var command = new Command("prompts", "Validate, generate, split and inspect prompt template pools (.jsonl, .csv, .xlsx).");
        command.Subcommands.Add(PromptsValidateCommand.Create());
        command.Subcommands.Add(PromptsGenerateCommand.Create());
        command.Subcommands.Add(PromptsSplitCommand.Create());
        command.Subcommands.Add(PromptsStatsCommand.Create());
        return command;
    }
}
