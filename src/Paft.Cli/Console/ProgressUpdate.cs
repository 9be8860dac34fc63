namespace Paft.Cli.Terminal;

/// <summary>One progress report of a long command: units done out of the total, and a short status text.</summary>
/// <param name="Done">Units (steps, templates) done so far.</param>
/// <param name="Total">Units in all.</param>
/// <param name="Details">Status shown beside the count, e.g. "loss 2.3012 lr 1.0e-04 512 tok/s".</param>
internal sealed record ProgressUpdate(int Done, int Total, string Details);
