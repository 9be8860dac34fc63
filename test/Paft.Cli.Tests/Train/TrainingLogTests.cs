using Paft.Cli.Reporting;
using Paft.MLNet.Training;

namespace Paft.Cli.Tests.Train;

public sealed class TrainingLogTests
{
    [Fact]
    public void Record_KeepsOneRowAStep_TheEpochReportOnlyAddsItsValidationAccuracy()
    {
        var log = new TrainingLog();

        Assert.True(log.Record(new PaftProgress(0, 1, 2, 2.5, 1e-4, 100)));
        Assert.True(log.Record(new PaftProgress(0, 2, 2, 2.0, 5e-5, 100)));
        Assert.False(log.Record(new PaftProgress(0, 2, 2, 2.25, 5e-5, 90, ValidationAccuracy: 0.75))); // epoch: mean loss 2.25

        Assert.Equal([new TrainingLogEntry(1, 0, 2.5, 1e-4, 100, null), new TrainingLogEntry(2, 0, 2.0, 5e-5, 100, 0.75)], log.Entries);
    }

    [Fact]
    public void TruncateAfter_DropsTheStepsAResumedRunRedoes()
    {
        var log = new TrainingLog();
        for (int step = 1; step <= 5; step++)
            log.Add(new TrainingLogEntry(step, 0, step, 1e-4, 100, null));

        log.TruncateAfter(3);
        log.Record(new PaftProgress(0, 4, 5, 0.5, 1e-4, 100));

        Assert.Equal([1, 2, 3, 4], log.Entries.Select(e => e.Step).ToArray());
        Assert.Equal(0.5, log.Entries[^1].Loss);
    }

    [Fact]
    public void TrainingLog_ResumedStepsReplaceTheirOldRows_AndRoundTrip()
    {
        var log = new TrainingLog();
        log.Add(new TrainingLogEntry(1, 0, 2.5, 1e-4, 100, null));
        log.Add(new TrainingLogEntry(2, 0, 2.25, 1e-4, 100, null));
        log.Add(new TrainingLogEntry(3, 0, 2.0, 1e-4, 100, null));
        log.Add(new TrainingLogEntry(3, 0, 1.875, 5e-5, 90, null)); // the resumed run does step 3 again
        log.SetValidationAccuracy(0.625);
        string path = Path.Combine(Directory.CreateTempSubdirectory("paft-cli-log-").FullName, TrainingLog.FileName);

        log.Save(path);
        TrainingLog read = TrainingLog.Load(path);

        Assert.Equal([1, 2, 3], read.Entries.Select(e => e.Step).ToArray());
        Assert.Equal(new TrainingLogEntry(3, 0, 1.875, 5e-5, 90, 0.625), read.Entries[^1]);
        Assert.Equal(log.Entries, read.Entries);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void TemplateIds_AreRecordedJoinedWithSemicolons_AndRoundTrip()
    {
        var log = new TrainingLog();
        log.Record(new PaftProgress(0, 1, 2, 2.5, 1e-4, 100) { TemplateIds = ["t1"] });
        log.Record(new PaftProgress(0, 2, 2, 2.0, 5e-5, 100) { TemplateIds = ["t1", "t,2"] }); // a step that mixes (and an id with a comma)
        string path = Path.Combine(Directory.CreateTempSubdirectory("paft-cli-log-").FullName, TrainingLog.FileName);

        log.Save(path);
        TrainingLog read = TrainingLog.Load(path);

        Assert.EndsWith(",t1;t,2\n", File.ReadAllText(path));
        Assert.Equal(["t1", "t,2"], read.Entries[1].TemplateIdList);
        Assert.Equal(log.Entries, read.Entries);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void ALogWrittenBeforeTheTemplateIdsColumn_StillLoads()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("paft-cli-log-").FullName, TrainingLog.FileName);
        File.WriteAllText(path, "step,epoch,loss,learning_rate,tokens_per_second,validation_accuracy\n1,0,2.5,0.0001,100,\n2,0,2.25,0.0001,90,0.5\n");

        TrainingLog read = TrainingLog.Load(path);

        Assert.Equal([new TrainingLogEntry(1, 0, 2.5, 1e-4, 100, null), new TrainingLogEntry(2, 0, 2.25, 1e-4, 90, 0.5)], read.Entries);
        Assert.Empty(read.Entries[0].TemplateIdList);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void TrainingLog_MalformedLine_NamesFileAndLine()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("paft-cli-log-").FullName, TrainingLog.FileName);
        File.WriteAllText(path, "step,epoch,loss,learning_rate,tokens_per_second,validation_accuracy\n1,0,2.5,0.0001,100,\n2,0,oops,0.0001,100,\n");

        var e = Assert.Throws<InvalidDataException>(() => TrainingLog.Load(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
