using Paft.Cli.Reporting;
using Paft.Cli.Tests.Prompts;

namespace Paft.Cli.Tests.Report;

/// <summary>
/// <c>sweep.csv</c>, <c>ablation.csv</c> over several seeds and their <c>*-by-seed.csv</c>: the one-seed format is
/// unchanged, every format loads back exactly, a bad row is refused naming the file and line, and the aggregate is the
/// mean over seeds with the sample std across seeds.
/// </summary>
public sealed class SweepFileTests
{
    [Fact]
    public void OneSeedKeepsTheOriginalFormat()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, SweepFile.FileName);
        SweepPoint[] points = [new(1, 0.5, 0.125), new(64, 2.0 / 3, 0.0625)];

        SweepFile.Save(points, path);

        Assert.Equal("training_templates,mean_accuracy,std_accuracy\n1,0.5,0.125\n64,0.6666666666666666,0.0625\n", File.ReadAllText(path));
        Assert.Equal(points, SweepFile.Load(path));
    }

    [Fact]
    public void SeveralSeedsRoundTripEveryValueExactly()
    {
        using var folder = new TempFolder();
        string sweep = Path.Combine(folder.Path, SweepFile.FileName), ablation = Path.Combine(folder.Path, AblationFile.FileName);
        SweepPoint[] points = [new(1, 0.5, 0.125) { Seeds = 3, SeedStdDev = 0.1 / 3 }, new(4, 0.75, 0.0625) { Seeds = 3, SeedStdDev = 0 }];
        AblationPoint[] cells = [new(1, 3, 72, 0.8, 0.05, 0.7) { Seeds = 2, SeedStdDev = 1.0 / 7 }];

        SweepFile.Save(points, sweep);
        AblationFile.Save(cells, ablation);

        Assert.StartsWith("training_templates,seeds,mean_accuracy,std_across_seeds,std_across_templates\n1,3,0.5,", File.ReadAllText(sweep));
        Assert.StartsWith("redraw_every_steps,epochs,training_templates,seeds,mean_accuracy,std_across_seeds,std_across_templates,min_accuracy\n1,3,72,2,0.8,",
            File.ReadAllText(ablation));
        Assert.Equal(points, SweepFile.Load(sweep));
        Assert.Equal(cells, AblationFile.Load(ablation));
    }

    [Fact]
    public void BySeedRowsRoundTripAndAggregateToTheMeanAndSampleStdAcrossSeeds()
    {
        using var folder = new TempFolder();
        string sweep = Path.Combine(folder.Path, SweepFile.BySeedFileName), ablation = Path.Combine(folder.Path, AblationFile.BySeedFileName);
        SeedRow<SweepPoint>[] rows = [new(7, new(4, 0.5, 0.1)), new(8, new(4, 0.7, 0.2)), new(9, new(4, 0.9, 0.3)), new(7, new(16, 0.6, 0.05))];
        SeedRow<AblationPoint>[] cells = [new(7, new(1, 3, 72, 0.6, 0.1, 0.5)), new(8, new(1, 3, 72, 0.8, 0.2, 0.6))];

        SweepFile.SaveBySeed(rows, sweep);
        AblationFile.SaveBySeed(cells, ablation);

        Assert.Equal(rows, SweepFile.LoadBySeed(sweep));
        Assert.Equal(cells, AblationFile.LoadBySeed(ablation));
        Assert.StartsWith("seed,training_templates,mean_accuracy,std_accuracy\n7,4,0.5,0.1\n", File.ReadAllText(sweep));
        Assert.StartsWith("seed,redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy\n7,1,3,72,0.6,0.1,0.5\n", File.ReadAllText(ablation));

        // By hand: means 0.5, 0.7, 0.9 → mean 0.7, sample std sqrt((0.04 + 0 + 0.04) / 2) = 0.2; one seed → no spread.
        IReadOnlyList<SweepPoint> sweepMeans = SeedAggregate.Sweep(rows);
        Assert.Equal([4, 16], sweepMeans.Select(p => p.TrainingTemplates));
        Assert.Equal((3, 0.7, 0.2, 0.2), (sweepMeans[0].Seeds, Math.Round(sweepMeans[0].MeanAccuracy, 12), Math.Round(sweepMeans[0].SeedStdDev, 12), Math.Round(sweepMeans[0].AccuracyStdDev, 12)));
        Assert.Equal((1, 0.0), (sweepMeans[1].Seeds, sweepMeans[1].SeedStdDev));
        AblationPoint cell = Assert.Single(SeedAggregate.Ablation(cells));
        Assert.Equal((2, 0.7, 0.15, 0.55), (cell.Seeds, Math.Round(cell.MeanAccuracy, 12), Math.Round(cell.AccuracyStdDev, 12), Math.Round(cell.MinAccuracy, 12)));
        Assert.Equal(0.2 / Math.Sqrt(2), cell.SeedStdDev, 12);
    }

    [Fact]
    public void ASeedCountedTwiceIsRefused() =>
        Assert.Throws<InvalidDataException>(() => SeedAggregate.Sweep([new(7, new(4, 0.5, 0.1)), new(7, new(4, 0.7, 0.2))]));

    [Theory]
    [InlineData(SweepFile.BySeedFileName, "seed,training_templates,mean_accuracy,std_accuracy", "7,4,0.5", "line 3")]
    [InlineData(SweepFile.BySeedFileName, "seed,training_templates,mean_accuracy,std_accuracy", "x,4,0.5,0.1", "line 3")]
    [InlineData(SweepFile.FileName, "training_templates,seeds,mean_accuracy,std_across_seeds,std_across_templates", "4,0,0.5,0.1,0.1", "line 3")]
    [InlineData(AblationFile.BySeedFileName, "seed,redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy", "8,1,3,72,80,5,70", "line 3")]
    [InlineData(AblationFile.BySeedFileName, "seed,redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy", "7,1,3,72,0.8,0.05,0.7", "line 3 repeats seed 7, K 1")]
    [InlineData(AblationFile.FileName, "redraw_every_steps,epochs,training_templates,seeds,mean_accuracy,std_across_seeds,std_across_templates,min_accuracy", "1,3,72,2,0.8,0.05,0.7", "line 3")]
    public void AMalformedRowIsRefusedNamingTheFileAndLine(string file, string header, string row, string message)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, file);
        string first = header.Split(',').Length switch
        {
            4 => "7,4,0.5,0.1",
            5 => "4,2,0.5,0.1,0.1",
            7 => "7,1,3,72,0.8,0.05,0.7",
            _ => "1,3,72,2,0.8,0.05,0.05,0.7",
        };
        File.WriteAllText(path, header + "\n" + first + "\n" + row + "\n");

        Exception e = Assert.Throws<InvalidDataException>(() =>
        {
            _ = file switch
            {
                SweepFile.BySeedFileName => SweepFile.LoadBySeed(path).Count,
                SweepFile.FileName => SweepFile.Load(path).Count,
                AblationFile.BySeedFileName => AblationFile.LoadBySeed(path).Count,
                _ => AblationFile.Load(path).Count,
            };
        });
        Assert.Contains($"{path}: {message}", e.Message);
    }

    [Fact]
    public void ABySeedFileWithoutItsHeaderIsRefusedNamingLineOne()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, SweepFile.BySeedFileName);
        File.WriteAllText(path, "training_templates,mean_accuracy,std_accuracy\n4,0.8,0.1\n");
        Assert.Contains($"{path}: line 1", Assert.Throws<InvalidDataException>(() => SweepFile.LoadBySeed(path)).Message);
    }
}
