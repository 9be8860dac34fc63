using Paft.Cli.Terminal;
using TorchSharp;

namespace Paft.Cli.Commands;

/// <summary>The <c>--threads</c> of the commands that train: torch's thread count, one per core unless given.</summary>
internal static class TorchThreads
{
    /// <summary>Sets torch's thread count to <paramref name="requested"/> (default: one per core) and returns it.</summary>
    /// <exception cref="CommandInputException">The count is below 1.</exception>
    public static int Apply(int? requested)
    {
        int count = requested ?? Environment.ProcessorCount;
        if (count < 1)
            throw new CommandInputException($"--threads must be at least 1; got {count}.");
        torch.set_num_threads(count);
        return count;
    }
}
