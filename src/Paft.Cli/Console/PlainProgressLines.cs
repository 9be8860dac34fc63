namespace Paft.Cli.Terminal;

/// <summary>
/// Progress as plain lines, for output that is not a terminal (a log file, a CI job, a pipe): the first and
/// last report always, the others at most one per <c>interval</c> so a log stays readable.
/// </summary>
internal sealed class PlainProgressLines(TextWriter output, string title, TimeSpan interval) : IProgress<ProgressUpdate>
{
    private readonly EtaEstimator _eta = new();
    private DateTime _lastLine = DateTime.MinValue;
    private bool _first = true;

    public void Report(ProgressUpdate value)
    {
        TimeSpan? eta = _eta.Update(value.Done, value.Total);
        DateTime now = DateTime.UtcNow;
        if (!_first && value.Done < value.Total && now - _lastLine < interval)
            return;
        _first = false;
        _lastLine = now;
        string details = value.Details.Length == 0 ? "" : "  " + value.Details;
        output.WriteLine($"{title} {value.Done}/{value.Total}{details}  ETA {EtaEstimator.Format(eta)}");
        output.Flush();
    }
}
