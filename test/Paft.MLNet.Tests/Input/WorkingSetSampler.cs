using System.Diagnostics;

namespace Paft.MLNet.Tests.Input;

/// <summary>
/// The growth of the process's resident memory while a piece of work runs: a thread samples the working set every few
/// milliseconds and keeps the largest value above the one before the work. The process-lifetime peak would not do: an
/// earlier test may have set it higher than anything the work under test reaches.
/// </summary>
internal sealed class WorkingSetSampler : IDisposable
{
    private readonly long _baseline;
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _peak;

    private WorkingSetSampler()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        _baseline = Current();
        _peak = _baseline;
        _thread = new Thread(Sample) { IsBackground = true, Name = "working set sampler" };
        _thread.Start();
    }

    public static WorkingSetSampler Start() => new();

    /// <summary>The largest growth over the baseline seen so far, in bytes.</summary>
    public long PeakGrowth => Math.Max(0, Interlocked.Read(ref _peak) - _baseline);

    private static long Current()
    {
        using Process self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    private void Sample()
    {
        while (!_stop)
        {
            long now = Current();
            if (now > Interlocked.Read(ref _peak))
                Interlocked.Exchange(ref _peak, now);
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        long now = Current();
        if (now > _peak)
            _peak = now;
    }
}
