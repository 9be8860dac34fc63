using Paft.Cli.Commands;
using Paft.Cli.Terminal;

// The `paft` tool. Each command lives in its own file under Commands/ and is registered in CommandRegistry.
// Ctrl+C outside a command that stops gracefully (CancelKeyScope) ends the process, but never in silence.
Console.CancelKeyPress += (_, _) =>
{
    if (!CancelKeyScope.AnyActive)
        Console.Error.WriteLine("Interrupted (Ctrl+C).");
};
return PaftRootCommand.Invoke(args);
