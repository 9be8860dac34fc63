using Paft.Demo;

namespace Paft.Demo.Tests;

/// <summary>
/// <see cref="DemoRecipe.Sweep(DemoOptions, IReadOnlyList{DemoSweepSetting}, IProgress{DemoProgress}?, CancellationToken)"/>
/// at toy size: each setting's K and epochs reach the trainer, on one shared base model.
/// </summary>
[Collection(SerialTorchWork.Name)]
public sealed class DemoSweepTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "paft-sweep-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out))
            Directory.Delete(_out, recursive: true);
    }

    /// <summary>16 examples in batches of 4: 4 optimizer steps an epoch.</summary>
    private DemoOptions Options() => TinyDemoRun.Options(_out, trainExamples: 16);

    [Fact]
    public void EachSettingTrainsWithItsOwnKAndEpochsOnOneBaseModel()
    {
        DemoOptions options = Options();
        int full = DemoRecipe.TrainingPoolSize(options);
        DemoSweepSetting k1 = new(full, 1, 3), k8 = new(full, 8, 3), k1Long = new(full, 1, 6), small = new(2, 1, 3);
        var reports = new List<DemoProgress>();

        IReadOnlyList<DemoSweepPoint> points = DemoRecipe.Sweep(options, [k1, k8, k1Long, small, k1], new SyncProgress(reports.Add));

        Assert.Equal([k1, k8, k1Long, small, k1], points.Select(p => p.Setting));
        Assert.Equal(options.PretrainSteps, reports.Count(r => r.Stage == "pretrain")); // one base model for all
        // Epochs reach the trainer: 4 steps an epoch, so 6 epochs train twice the steps of 3.
        Assert.Equal(12, points[0].Result.Losses.Count);
        Assert.Equal(24, points[2].Result.Losses.Count);
        // K reaches the trainer: same base, LoRA init, rows and order; only the template draw differs.
        Assert.NotEqual(points[0].Result.Losses, points[1].Result.Losses);
        Assert.Equal(full, points[0].Result.TrainTemplateIds.Count);
        Assert.Equal(2, points[3].Result.TrainTemplateIds.Count);
        Assert.Same(points[0].Result, points[4].Result); // a setting given twice is trained once
        foreach (DemoSweepSetting setting in new[] { k1, k8, k1Long, small })
            Assert.True(File.Exists(Path.Combine(_out, setting.Name, "paft_model.json")), setting.Name);
        Assert.Equal($"paft-n{full}-k8-e3", k8.Name);
    }

    [Fact]
    public void GridIsEveryKWithEveryEpochCount()
    {
        IReadOnlyList<DemoSweepSetting> grid = DemoSweepSetting.Grid(72, [1, 2, 4, 8], [3, 6]);
        Assert.Equal(8, grid.Count);
        Assert.All(grid, s => Assert.Equal(72, s.TrainingTemplates));
        Assert.Equal([(1, 3), (2, 3), (4, 3), (8, 3), (1, 6), (2, 6), (4, 6), (8, 6)], grid.Select(s => (s.RedrawEverySteps, s.Epochs)));
    }

    [Fact]
    public void BadSettingsAreRefusedNamingTheSettingBeforeAnyTraining()
    {
        DemoOptions options = Options();
        int full = DemoRecipe.TrainingPoolSize(options);
        var k = Assert.Throws<ArgumentException>(() => DemoRecipe.Sweep(options, [new DemoSweepSetting(full, 0, 3)]));
        Assert.Equal("RedrawEverySteps", k.ParamName);
        var n = Assert.Throws<ArgumentException>(() => DemoRecipe.Sweep(options, [new DemoSweepSetting(full + 1, 1, 3)]));
        Assert.Contains($"{full} templates", n.Message);
        var e = Assert.Throws<ArgumentException>(() => DemoRecipe.Sweep(options, [new DemoSweepSetting(1, 1, 0)]));
        Assert.Equal("Epochs", e.ParamName);
        Assert.False(Directory.Exists(Path.Combine(_out, "base")));
    }

    private sealed class SyncProgress(Action<DemoProgress> report) : IProgress<DemoProgress>
    {
        public void Report(DemoProgress value) => report(value);
    }
}
