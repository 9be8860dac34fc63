using Paft.Cli.Terminal;

namespace Paft.Cli.Tests.Train;

public sealed class ProgressDisplayTests
{
    [Fact]
    public void RedirectedOutput_GetsPlainLines_FirstAndLastAlways_OthersThrottled()
    {
        var output = new StringWriter();

        int result = ProgressDisplay.Run(output, "train step", progress =>
        {
            for (int step = 1; step <= 5; step++)
                progress.Report(new ProgressUpdate(step, 5, $"loss {step}"));
            return 42;
        });

        Assert.Equal(42, result);
        Assert.False(ProgressDisplay.IsInteractive(output));
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Five reports within the 2 s interval: the first and the last are written, the middle ones are not.
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("train step 1/5  loss 1  ETA ?", lines[0]);
        Assert.StartsWith("train step 5/5  loss 5  ETA 0:00:00", lines[1]);
        Assert.DoesNotContain('\u001b', output.ToString()); // no terminal escape codes in a log
    }

    [Fact]
    public void PlainLines_WithZeroInterval_WriteEveryReport()
    {
        var output = new StringWriter();
        var lines = new PlainProgressLines(output, "template", TimeSpan.Zero);

        for (int i = 1; i <= 3; i++)
            lines.Report(new ProgressUpdate(i, 3, ""));

        Assert.Equal(["template 1/3", "template 2/3", "template 3/3"],
            output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf("  ETA", StringComparison.Ordinal)]).ToArray());
    }

    [Fact]
    public void Eta_FollowsThePaceSinceTheFirstReport()
    {
        Assert.Equal("?", EtaEstimator.Format(null));
        Assert.Equal("1:02:03", EtaEstimator.Format(new TimeSpan(1, 2, 3)));
        var eta = new EtaEstimator();
        Assert.Null(eta.Update(10, 20));         // a resumed run starting at step 10: no pace yet
        TimeSpan? later = eta.Update(20, 20);
        Assert.Equal(TimeSpan.Zero, later);      // nothing left
    }
}
