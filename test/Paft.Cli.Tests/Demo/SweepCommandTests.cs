using System.Globalization;
using Paft.Cli.Tests.Prompts;

namespace Paft.Cli.Tests.Demo;

/// <summary><c>paft sweep --quick</c>: one point per pool size, in sweep.csv, the table and the report's plot.</summary>
public sealed class SweepCommandTests
{
    [Fact]
    public void QuickSweepWritesOnePointPerPoolSizeAndThePlot()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "sweep");
        CliRunner.Result run = CliRunner.Run("sweep", "--quick", "--prompts", "1,2,4", "--out", output, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        string[] csv = File.ReadAllLines(Path.Combine(output, "sweep.csv"));
        Assert.Equal(4, csv.Length); // header + one line per size
        Assert.Equal([1, 2, 4], csv.Skip(1).Select(line => int.Parse(line.Split(',')[0], CultureInfo.InvariantCulture)));
        foreach (string line in csv.Skip(1))
        {
            double mean = double.Parse(line.Split(',')[1], CultureInfo.InvariantCulture);
            Assert.InRange(mean, 0, 1);
            Assert.Contains($"| {line.Split(',')[0]} | {100 * mean:F2} ±", run.Output);
        }
        Assert.True(File.Exists(Path.Combine(output, "sweep.png")));
        Assert.Contains("sweep.png", File.ReadAllText(Path.Combine(output, "report.md")));
    }

    [Fact]
    public void PoolSizesMustBePositiveWholeNumbers()
    {
        CliRunner.Result run = CliRunner.Run("sweep", "--prompts", "1,x");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'x'", run.Error);
    }
}
