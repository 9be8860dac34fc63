using Paft.Cli.Commands;
using Paft.Cli.Terminal;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

public sealed class TrainRunRecordTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private TrainCommandConfig Settings() => new TrainCommandConfig
    {
        Model = _folder.Path,
        Task = "piqa",
        Data = _folder.Write("train.jsonl", """{"goal":"g","sol1":"a","sol2":"b"}"""),
        Prompts = _folder.Write("pool.jsonl", """{"id":"p","text":"{goal} {sol1} {sol2} Answer:"}"""),
        Out = _folder.File("out"),
    }.WithDefaults();

    [Fact]
    public void SavedRecord_AcceptsTheSameRun_AndNamesTheFirstSettingThatDiffers()
    {
        TrainCommandConfig settings = Settings();
        _folder.Write("train-labels.lst", "0");
        TrainRunRecord.Of(settings).Save(_folder.File("checkpoints"));
        TrainRunRecord saved = TrainRunRecord.Load(_folder.File("checkpoints"))!;

        saved.RequireSameRun(TrainRunRecord.Of(settings), "ck");
        string message = Assert.Throws<CommandInputException>(() => saved.RequireSameRun(TrainRunRecord.Of(settings with { BatchSize = 4, Epochs = 9 }), "ck")).Message;
        Assert.StartsWith("--resume: the checkpoints in 'ck' were written with --batch-size 8, this command has --batch-size 4.", message);
        // Not a setting of the run: where it is written, how often checkpoints are taken.
        saved.RequireSameRun(TrainRunRecord.Of(settings with { CheckpointEvery = 7, Resume = true }), "ck");
    }

    [Fact]
    public void PiqaLabelsBesideTheData_AreHashedWithIt()
    {
        TrainCommandConfig settings = Settings();
        _folder.Write("train-labels.lst", "0");
        TrainRunRecord before = TrainRunRecord.Of(settings);
        _folder.Write("train-labels.lst", "1");
        string message = Assert.Throws<CommandInputException>(() => before.RequireSameRun(TrainRunRecord.Of(settings), "ck")).Message;
        Assert.Contains("the content of --data", message);
    }

    [Theory]
    [InlineData("lr", "--lr")]
    [InlineData("batchSize", "--batch-size")]
    [InlineData("loraTargets", "--lora-targets")]
    public void SettingsKeys_AreNamedAsTheirFlags(string key, string flag) => Assert.Equal(flag, TrainRunRecord.Flag(key));
}
