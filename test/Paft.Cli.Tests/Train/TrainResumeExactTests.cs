using Paft.Cli.Commands;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary>
/// PAFT's own visiting order (templates held for K steps) resumes exactly: a run interrupted inside a group of K
/// steps and resumed writes the same adapter bytes and the same per-step templates as an uninterrupted one.
/// </summary>
public sealed class TrainResumeExactTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private TrainCommandConfig Settings(string output, bool resume) => new TrainCommandConfig
    {
        Model = WorkflowTestData.Model,
        Task = "piqa",
        Data = WorkflowTestData.Piqa,
        Prompts = _data.WritePool(),
        Limit = 4,
        BatchSize = 1,
        Epochs = 2,
        K = 2,
        Seed = 1,
        Lr = 1e-3,
        Out = output,
        Resume = resume,
    }.WithDefaults();

    [SharedFact]
    public void InterruptedInsideAGroupOfKSteps_AndResumed_WritesTheBytesOfAnUninterruptedRun()
    {
        string straight = _data.PathOf("straight");
        Assert.Equal(CommandExit.Success, TrainCommandRunner.Run(Settings(straight, resume: false), new StringWriter(), new StringWriter(), CancellationToken.None));

        // 4 rows, batch 1, 2 epochs: 8 steps; K 2 groups steps (1,2), (3,4) in each epoch. Stop after step 3, inside a group.
        string resumed = _data.PathOf("resumed");
        using var cancel = new CancellationTokenSource();
        int exit = TrainCommandRunner.Run(Settings(resumed, resume: false), new StringWriter(), new StringWriter(), cancel.Token, p =>
        {
            if (p.Step == 3)
                cancel.Cancel();
        });
        Assert.Equal(CommandExit.Interrupted, exit);
        Assert.Equal(CommandExit.Success, TrainCommandRunner.Run(Settings(resumed, resume: true), new StringWriter(), new StringWriter(), CancellationToken.None));

        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "adapter_model.safetensors")), File.ReadAllBytes(Path.Combine(resumed, "adapter_model.safetensors")));
        string[] Templates(string folder) => TrainingLog.Load(Path.Combine(folder, TrainingLog.FileName)).Entries.Select(e => e.TemplateIds).ToArray();
        Assert.Equal(8, Templates(straight).Length);
        Assert.Equal(Templates(straight), Templates(resumed));
    }
}
