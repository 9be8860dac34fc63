namespace Paft.Cli.Terminal;

/// <summary>A flag, configuration key or input file of a command that cannot be used; the message names it.</summary>
internal sealed class CommandInputException(string message, Exception? inner = null) : Exception(message, inner);
