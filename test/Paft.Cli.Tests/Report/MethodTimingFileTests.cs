using Paft.Cli.Reporting;

namespace Paft.Cli.Tests.Report;

public sealed class MethodTimingFileTests
{
    [Fact]
    public void TimingsRoundTripExactlyWithAndWithoutGeneration()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, MethodTimingFile.FileName);
        MethodTiming[] timings =
        [
            new("base", 0, 0, new GenerationTiming(48, 0.6227341, 18.9, 0)),
            new("zopo", 0.1 + 0.2, 4.6, new GenerationTiming(48, 0.15, 1.6875, 0.14583333333333334)),
            new("paft", 0, 3.7, null),
        ];

        MethodTimingFile.Save(timings, path);

        Assert.Equal(timings, MethodTimingFile.Load(path));
        Assert.EndsWith("paft,0,3.7,,,,", File.ReadAllLines(path)[^1]);
    }

    [Theory]
    [InlineData("zopo,0.4,-1,48,0.1,1.5,0.2", "line 2")]
    [InlineData("zopo,0.4,4.6,48,0.1,1.5", "line 2")]
    [InlineData("zopo,0.4,4.6,48,,1.5,0.2", "line 2")]
    [InlineData("zopo,0.4,4.6,48,0.1,1.5,1.2", "line 2")]
    public void AMalformedRowIsRefusedNamingTheFileAndLine(string row, string where)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, MethodTimingFile.FileName);
        File.WriteAllText(path, "method,selection_seconds,training_seconds,generation_prompts,generation_seconds,mean_generated_tokens,generated_answer_accuracy\n" + row + "\n");

        var e = Assert.Throws<InvalidDataException>(() => MethodTimingFile.Load(path));

        Assert.Contains(path, e.Message);
        Assert.Contains(where, e.Message);
    }

    [Fact]
    public void AFileWithoutTheHeaderIsRefused()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, MethodTimingFile.FileName);
        File.WriteAllText(path, "base,0,0,,,,\n");

        var e = Assert.Throws<InvalidDataException>(() => MethodTimingFile.Load(path));

        Assert.Contains("line 1 must be the header", e.Message);
    }
}
