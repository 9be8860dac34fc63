using System.CommandLine;
using Paft.Cli.Commands;

// The `paft` tool. Each command lives in its own file under Commands/ and is registered here.
var root = new RootCommand("paft: Prompt-Agnostic Fine-Tuning of LLaMA models for .NET");
foreach (Command command in CommandRegistry.All())
    root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
