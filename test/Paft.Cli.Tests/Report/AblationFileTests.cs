using Paft.Cli.Reporting;
using Paft.Cli.Tests.Prompts;

namespace Paft.Cli.Tests.Report;

/// <summary><c>ablation.csv</c>: what is saved loads back exactly; a bad row is refused naming the file and the line.</summary>
public sealed class AblationFileTests
{
    [Fact]
    public void RoundTripsEveryValueExactly()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, AblationFile.FileName);
        AblationPoint[] points = [new(1, 3, 72, 0.8051, 1.0 / 30, 0.74), new(8, 6, 72, 2.0 / 3, 0, 2.0 / 3)];

        AblationFile.Save(points, path);

        Assert.Equal(points, AblationFile.Load(path));
        Assert.StartsWith("redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy\n1,3,72,", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("4,3,72,0.8,0.05", "line 3")]            // a missing value
    [InlineData("0,3,72,0.8,0.05,0.7", "line 3")]        // K 0
    [InlineData("4,3,72,80,5,70", "line 3")]              // percent instead of fractions
    [InlineData("1,3,72,0.8,0.05,0.7", "line 3 repeats K 1 with 3 epoch(s) of line 2")]
    public void AMalformedRowIsRefusedNamingTheFileAndLine(string row, string message)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, AblationFile.FileName);
        File.WriteAllText(path, "redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy\n1,3,72,0.8,0.05,0.7\n" + row + "\n");

        var e = Assert.Throws<InvalidDataException>(() => AblationFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AWrongHeaderIsRefusedNamingLineOne()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, AblationFile.FileName);
        File.WriteAllText(path, "training_templates,mean_accuracy,std_accuracy\n4,0.8,0.1\n");
        Assert.Contains($"{path}: line 1", Assert.Throws<InvalidDataException>(() => AblationFile.Load(path)).Message);
    }
}
