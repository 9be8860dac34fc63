namespace Paft.Cli.Terminal;

/// <summary>
/// Turns the first Ctrl+C into a cancellation request, so that a long command can stop between steps and
/// save its state; a second Ctrl+C ends the process at once, as usual.
/// </summary>
internal sealed class CancelKeyScope : IDisposable
{
    private readonly CancellationTokenSource _source;
    private const string StepMessage = "Stopping after the current step (press Ctrl+C again to abort at once)...";
    private static int s_active;
    private readonly TextWriter _error;
    private readonly string _message;

    private CancelKeyScope(CancellationToken outer, TextWriter error, string message)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _error = error;
        _message = message;
        Interlocked.Increment(ref s_active);
        System.Console.CancelKeyPress += OnCancelKeyPress;
    }

    /// <summary>Whether a scope handles Ctrl+C now (the program's own handler then stays quiet).</summary>
    public static bool AnyActive => Volatile.Read(ref s_active) > 0;

    /// <summary>Cancelled by Ctrl+C or by the outer token.</summary>
    public CancellationToken Token => _source.Token;

    public static CancelKeyScope Start(CancellationToken outer, TextWriter error) => new(outer, error, StepMessage);

    /// <summary>A scope that says <paramref name="message"/> on the first Ctrl+C.</summary>
    public static CancelKeyScope Start(CancellationToken outer, TextWriter error, string message) => new(outer, error, message);

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested)
            return; // the second Ctrl+C: let the runtime end the process
        e.Cancel = true;
        _error.WriteLine(_message);
        _source.Cancel();
    }

    public void Dispose()
    {
        System.Console.CancelKeyPress -= OnCancelKeyPress;
        Interlocked.Decrement(ref s_active);
        _source.Dispose();
    }
}
