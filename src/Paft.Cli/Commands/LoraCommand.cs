using System.CommandLine;

namespace Paft.Cli.Commands;

/// <summary><c>paft lora</c>: work with LoRA adapters (merge).</summary>
internal static class LoraCommand
{
    public static Command Create()
    {
        var command = new Command("lora", "Work with LoRA adapters in PEFT's folder layout.");
        command.Subcommands.Add(LoraMergeCommand.Create());
        return command;
    }
}
