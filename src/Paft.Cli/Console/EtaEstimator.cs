using System.Diagnostics;

namespace Paft.Cli.Terminal;

/// <summary>
/// Remaining time from the pace since the first report of this run. A resumed run starts counting at its
/// first report, so the steps done before the resume do not make it look faster than it is.
/// </summary>
internal sealed class EtaEstimator
{
    private readonly Stopwatch _clock = new();
    private int _firstDone = -1;

    /// <summary>Records a report; returns the estimate, or null before there is a pace to go by.</summary>
    public TimeSpan? Update(int done, int total)
    {
        if (_firstDone < 0)
        {
            _firstDone = done;
            _clock.Start();
            return null;
        }
        int units = done - _firstDone;
        if (units <= 0)
            return null;
        double secondsPerUnit = _clock.Elapsed.TotalSeconds / units;
        return TimeSpan.FromSeconds(secondsPerUnit * Math.Max(0, total - done));
    }

    /// <summary>h:mm:ss, or "?" when unknown.</summary>
    public static string Format(TimeSpan? eta) =>
        eta is { } t ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : "?";
}
