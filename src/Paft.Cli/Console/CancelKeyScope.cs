namespace Paft.Cli.Terminal;

/// <summary>
/// Turns the first Ctrl+C into a cancellation request, so that a long command can stop between steps and
/// save its state; a second Ctrl+C ends the process at once, as usual.
/// </summary>
internal sealed class CancelKeyScope : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly TextWriter _error;

    private CancelKeyScope(CancellationToken outer, TextWriter error)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _error = error;
        System.Console.CancelKeyPress += OnCancelKeyPress;
    }

    /// <summary>Cancelled by Ctrl+C or by the outer token.</summary>
    public CancellationToken Token => _source.Token;

    public static CancelKeyScope Start(CancellationToken outer, TextWriter error) => new(outer, error);

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested)
            return; // the second Ctrl+C: let the runtime end the process
        e.Cancel = true;
        _error.WriteLine("Stopping after the current step (press Ctrl+C again to abort at once)...");
        _source.Cancel();
    }

    public void Dispose()
    {
        System.Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }
}
