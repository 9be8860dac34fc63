using Paft.Llama.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Training;

public class LoraTrainerTests
{
    private static TrainingOptions Options(string? checkpoints = null, int every = 0, string? resume = null) => new()
    {
        Epochs = 3,
        BatchSize = 2,
        GradientAccumulationSteps = 2, // 7 examples -> 4 micro-batches -> 2 steps per epoch, 6 in all
        LearningRate = 5e-2,
        WarmupRatio = 0.2,
        WeightDecay = 0.01,
        MaxGradientNorm = 1.0,
        MaxLength = 4,                 // the 4-token prompt loses its head
        Seed = 3,
        CheckpointDirectory = checkpoints,
        CheckpointEvery = every,
        KeepCheckpoints = 10,
        ResumeFrom = resume,
        BaseModelNameOrPath = "toy-base",
    };

    private static CausalLMForward Forward(ToyCausalLM model) => (ids, mask) => model.forward(ids, mask);

    private static byte[] AdapterBytes(string checkpoint) => File.ReadAllBytes(Path.Combine(checkpoint, TrainingCheckpoint.AdapterFile));

    [Fact]
    public void TrainingLowersTheCompletionLossAndChangesOnlyAdapterTensors()
    {
        var (model, lora) = ToyTask.Model(dropout: 0);
        using var _ = model;
        var baseBefore = model.Snapshot();
        var reporter = new Reporter(_ => { });
        var options = new TrainingOptions { Epochs = 30, BatchSize = 4, LearningRate = 5e-2, WarmupRatio = 0.1, WeightDecay = 0.1, Seed = 1 };

        TrainingResult result = new LoraTrainer(lora, Forward(model), options).Train(ToyTask.Examples(), reporter);

        var steps = reporter.Reports.Where(r => r.Kind == TrainingProgressKind.Step).ToList();
        var epochs = reporter.Reports.Where(r => r.Kind == TrainingProgressKind.Epoch).ToList();
        Assert.Equal(60, result.Steps);
        Assert.Equal(60, steps.Count);
        Assert.Equal(30, epochs.Count);
        Assert.Equal(Enumerable.Range(1, 60), steps.Select(s => s.Step));
        Assert.Equal(0.0, steps[0].LearningRate); // warmup starts at zero, as in Hugging Face
        Assert.True(steps.All(s => s.TokensPerSecond > 0 && double.IsFinite(s.GradientNorm)));
        Assert.True(epochs[^1].Loss < 0.5 * epochs[0].Loss, $"loss {epochs[0].Loss} -> {epochs[^1].Loss}");

        foreach ((string name, Parameter p) in model.named_parameters())
            if (!name.Contains(".adapter."))
                Assert.True(TensorBits.Same(baseBefore[name], p), $"base parameter {name} changed");
    }

    [Fact]
    public void ABf16BaseTrainsFp32AdaptersAndStaysUntouched()
    {
        using var model = new ToyCausalLM(dtype: ScalarType.BFloat16);
        var baseBefore = model.Snapshot();
        var lora = Paft.Llama.Lora.LoraAdapterSet.Apply(model, new Paft.Llama.Lora.LoraConfig { Rank = 2, Alpha = 4, TargetModules = ["q_proj", "v_proj", "lm_head"] }, seed: 5);
        var reporter = new Reporter(_ => { });
        var options = new TrainingOptions { Epochs = 30, BatchSize = 4, LearningRate = 5e-2, WarmupRatio = 0.1, Seed = 1 };

        new LoraTrainer(lora, Forward(model), options).Train(ToyTask.Examples(), reporter);

        Assert.All(lora.NamedParameters(), p => Assert.Equal(ScalarType.Float32, p.Parameter.dtype));
        var epochs = reporter.Reports.Where(r => r.Kind == TrainingProgressKind.Epoch).ToList();
        Assert.True(epochs[^1].Loss < 0.5 * epochs[0].Loss, $"loss {epochs[0].Loss} -> {epochs[^1].Loss}");
        foreach ((string name, Parameter p) in model.named_parameters())
            if (!name.Contains(".adapter."))
                Assert.True(TensorBits.Same(baseBefore[name], p), $"base parameter {name} changed");
    }

    [Fact]
    public void TrainingMergedAdaptersIsRefused()
    {
        var (model, lora) = ToyTask.Model();
        lora.Merge();
        var ex = Assert.Throws<InvalidOperationException>(() =>
            new LoraTrainer(lora, Forward(model), new TrainingOptions { MaxLength = 4 }).Train(ToyTask.Examples()));
        Assert.Contains("unmerge", ex.Message);
    }

    [Fact]
    public void ResumingWithADifferentRunIsRefused()
    {
        using var dir = new TempFolder();
        var (m1, l1) = ToyTask.Model();
        TrainingResult first = new LoraTrainer(l1, Forward(m1), Options(dir.Path, every: 2)).Train(ToyTask.Examples());
        string at2 = TrainingCheckpoint.List(dir.Path)[0].Path;

        var (m2, l2) = ToyTask.Model();
        var ex = Assert.Throws<InvalidOperationException>(() =>
            new LoraTrainer(l2, Forward(m2), Options(dir.Path, every: 2, resume: at2)).Train(ToyTask.Examples().Take(5).ToList()));
        Assert.Contains(at2, ex.Message);
        Assert.Contains("5 examples", ex.Message);
    }

    [Fact]
    public void TwoRunsWithOneSeedWriteIdenticalAdapterBytes()
    {
        using var dir1 = new TempFolder();
        using var dir2 = new TempFolder();
        var (m1, l1) = ToyTask.Model();
        var (m2, l2) = ToyTask.Model();
        var r1 = new LoraTrainer(l1, Forward(m1), Options(dir1.Path)).Train(ToyTask.Examples());
        var r2 = new LoraTrainer(l2, Forward(m2), Options(dir2.Path)).Train(ToyTask.Examples());

        Assert.Equal(AdapterBytes(r1.LastCheckpoint!), AdapterBytes(r2.LastCheckpoint!));
        Assert.Equal(File.ReadAllBytes(Path.Combine(r1.LastCheckpoint!, TrainingCheckpoint.OptimizerFile)),
                     File.ReadAllBytes(Path.Combine(r2.LastCheckpoint!, TrainingCheckpoint.OptimizerFile)));

        // And the seed matters: another shuffle and dropout seed gives other bytes.
        using var dir3 = new TempFolder();
        var (m3, l3) = ToyTask.Model();
        var otherSeed = new TrainingOptions
        {
            Epochs = 3, BatchSize = 2, GradientAccumulationSteps = 2, LearningRate = 5e-2, WarmupRatio = 0.2,
            WeightDecay = 0.01, MaxLength = 4, Seed = 4, CheckpointDirectory = dir3.Path,
        };
        var r3 = new LoraTrainer(l3, Forward(m3), otherSeed).Train(ToyTask.Examples());
        Assert.NotEqual(AdapterBytes(r1.LastCheckpoint!), AdapterBytes(r3.LastCheckpoint!));
    }

    [Fact]
    public void CancelledThenResumedRunWritesTheSameBytesAsAnUninterruptedOne()
    {
        using var straightDir = new TempFolder();
        using var resumedDir = new TempFolder();
        var (m1, l1) = ToyTask.Model();
        TrainingResult straight = new LoraTrainer(l1, Forward(m1), Options(straightDir.Path, every: 3)).Train(ToyTask.Examples());

        // Stop after step 3 (a checkpoint is written at 3, mid-epoch 1), then resume in a fresh model.
        using var cts = new CancellationTokenSource();
        var (m2, l2) = ToyTask.Model();
        var stopper = new Reporter(r => { if (r.Kind == TrainingProgressKind.Step && r.Step == 3) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() =>
            new LoraTrainer(l2, Forward(m2), Options(resumedDir.Path, every: 3)).Train(ToyTask.Examples(), stopper, cts.Token));
        string at3 = LoraTrainer.FindLatestCheckpoint(resumedDir.Path)!;
        Assert.EndsWith("checkpoint-00000003", at3);

        var (m3, l3) = ToyTask.Model();
        var after = new Reporter(_ => { });
        TrainingResult resumed = new LoraTrainer(l3, Forward(m3), Options(resumedDir.Path, every: 3, resume: at3)).Train(ToyTask.Examples(), after);

        Assert.Equal(new[] { 4, 5, 6 }, after.Reports.Where(r => r.Kind == TrainingProgressKind.Step).Select(r => r.Step));
        Assert.Equal(6, resumed.Steps);
        Assert.Equal(AdapterBytes(straight.LastCheckpoint!), AdapterBytes(resumed.LastCheckpoint!));
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight.LastCheckpoint!, TrainingCheckpoint.OptimizerFile)),
                     File.ReadAllBytes(Path.Combine(resumed.LastCheckpoint!, TrainingCheckpoint.OptimizerFile)));
    }

    [Fact]
    public void CancellingBetweenCheckpointsWritesOneForTheStepsDone_AndResumingFromItMatchesAnUninterruptedRun()
    {
        using var straightDir = new TempFolder();
        using var resumedDir = new TempFolder();
        var (m1, l1) = ToyTask.Model();
        TrainingResult straight = new LoraTrainer(l1, Forward(m1), Options(straightDir.Path)).Train(ToyTask.Examples());

        // No periodic checkpoints (only at the end): cancelling after step 2 must still keep steps 1-2.
        using var cts = new CancellationTokenSource();
        var (m2, l2) = ToyTask.Model();
        var stopper = new Reporter(r => { if (r.Kind == TrainingProgressKind.Step && r.Step == 2) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() =>
            new LoraTrainer(l2, Forward(m2), Options(resumedDir.Path)).Train(ToyTask.Examples(), stopper, cts.Token));
        string at2 = LoraTrainer.FindLatestCheckpoint(resumedDir.Path)!;
        Assert.EndsWith("checkpoint-00000002", at2);

        var (m3, l3) = ToyTask.Model();
        TrainingResult resumed = new LoraTrainer(l3, Forward(m3), Options(resumedDir.Path, resume: at2)).Train(ToyTask.Examples());

        Assert.Equal(straight.Steps, resumed.Steps);
        Assert.Equal(AdapterBytes(straight.LastCheckpoint!), AdapterBytes(resumed.LastCheckpoint!));
    }

    [Fact]
    public void ANonFiniteLossStopsNamingTheStepAndKeepsTheLastCheckpointLoadable()
    {
        using var dir = new TempFolder();
        var (model, lora) = ToyTask.Model();
        // After step 4 (checkpointed), poison one adapter weight: step 5's loss is NaN.
        var poisoner = new Reporter(r =>
        {
            if (r.Kind == TrainingProgressKind.Step && r.Step == 4)
                using (no_grad()) lora.Adapters[0].Value.lora_B[0, 0] = float.NaN;
        });
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            new LoraTrainer(lora, Forward(model), Options(dir.Path, every: 2)).Train(ToyTask.Examples(), poisoner));

        Assert.Equal(5, ex.Step);
        Assert.Equal(2, ex.Epoch);
        Assert.Equal(0, ex.Batch);
        Assert.Contains("step 5 (epoch 2, batch 0)", ex.Message);
        Assert.Contains("NaN", ex.Message);
        Assert.EndsWith("checkpoint-00000004", ex.LastCheckpoint);
        Assert.Equal(ex.LastCheckpoint, LoraTrainer.FindLatestCheckpoint(dir.Path));

        var (fresh, freshLora) = ToyTask.Model();
        TrainingCheckpoint.LoadAdapter(ex.LastCheckpoint!, freshLora);
        Assert.Equal(4, TrainingCheckpoint.ReadState(ex.LastCheckpoint!).GlobalStep);
        foreach ((string name, Parameter p) in freshLora.NamedParameters())
            Assert.True(p.isfinite().all().item<bool>(), $"{name} is not finite in the checkpoint");
        Assert.False(freshLora.Adapters[0].Value.lora_B.equal(zeros_like(freshLora.Adapters[0].Value.lora_B)).all().item<bool>());

        // The checkpoint is also a plain PEFT adapter folder, naming the base model.
        var plain = new ToyCausalLM();
        var loaded = Paft.Llama.Lora.PeftAdapter.Load(plain, ex.LastCheckpoint!);
        Assert.True(TensorBits.Same(loaded.Adapters[1].Value.lora_A, freshLora.Adapters[1].Value.lora_A));
        Assert.Contains("\"base_model_name_or_path\": \"toy-base\"", File.ReadAllText(Path.Combine(ex.LastCheckpoint!, "adapter_config.json")));
        Assert.Contains("\"torch_threads\": " + get_num_threads(), File.ReadAllText(Path.Combine(ex.LastCheckpoint!, "trainer_state.json")));
    }

    [Fact]
    public void ANonFiniteGradientWithAFiniteLossStopsBeforeTheOptimizerStep()
    {
        var (model, lora) = ToyTask.Model(dropout: 0);
        Parameter b = lora.Adapters[0].Value.lora_B;
        var adapterBefore = lora.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.detach().clone());
        // sqrt(|B|.sum()) is 0 while B = 0 (the loss stays finite), but its derivative there is infinite.
        CausalLMForward poisoned = (ids, mask) => model.forward(ids, mask) + b.abs().sum().sqrt();

        var ex = Assert.Throws<TrainingDivergedException>(() =>
            new LoraTrainer(lora, poisoned, new TrainingOptions { Epochs = 1, BatchSize = 2, MaxLength = 4 }).Train(ToyTask.Examples()));

        Assert.Equal(1, ex.Step);
        Assert.Contains("gradient norm", ex.Message);
        Assert.Null(ex.LastCheckpoint);
        foreach ((string name, Parameter p) in lora.NamedParameters())
            Assert.True(TensorBits.Same(adapterBefore[name], p), $"{name} was updated by a non-finite step");
    }

    [Fact]
    public void TheEpochHookSuppliesEachEpochsExamples()
    {
        var (model, lora) = ToyTask.Model();
        var asked = new List<int>();
        var seen = new List<long>();
        // Epoch e continues with token 3 + e: the hook's examples, not epoch 0's, must reach the model.
        IReadOnlyList<TrainingExample> Hook(int epoch)
        {
            asked.Add(epoch);
            return [new([1, 3 + epoch], [7, 2]), new([1, 3 + epoch], [8, 2])];
        }
        CausalLMForward recording = (ids, mask) =>
        {
            seen.Add(ids[0, 1].item<long>());
            return model.forward(ids, mask);
        };
        new LoraTrainer(lora, recording, new TrainingOptions { Epochs = 3, BatchSize = 2, MaxLength = 4 }).Train(Hook);

        Assert.Equal(new[] { 0, 1, 2 }, asked);
        Assert.Equal(new long[] { 3, 4, 5 }, seen);

        var (m2, l2) = ToyTask.Model();
        var ex = Assert.Throws<InvalidOperationException>(() =>
            new LoraTrainer(l2, Forward(m2), new TrainingOptions { Epochs = 2, BatchSize = 2, MaxLength = 4 })
                .Train(epoch => ToyTask.Examples().Take(3 + epoch).ToList()));
        Assert.Contains("Epoch 1 has 4 examples but epoch 0 had 3", ex.Message);
    }

    [Fact]
    public void WithoutTheEpochShuffle_StepsVisitTheExamplesInTheGivenOrder_AndReportTheirTemplateIds()
    {
        var (model, lora) = ToyTask.Model();
        // Example i starts its prompt with token 3 + i, so the forward pass shows which examples it got.
        string[] ids = ["a", "a", "b", "b", "c", "a", "d"];
        TrainingExample[] examples = ids.Select((id, i) => new TrainingExample([3 + i, 1], [7, 2]) { TemplateId = id }).ToArray();
        var visited = new List<long>();
        CausalLMForward recording = (input, mask) =>
        {
            for (long b = 0; b < input.shape[0]; b++)
                visited.Add(input[b, 0].item<long>() - 3);
            return model.forward(input, mask);
        };
        var reporter = new Reporter(_ => { });
        var options = new TrainingOptions { Epochs = 2, BatchSize = 1, GradientAccumulationSteps = 2, MaxLength = 4, ShuffleEachEpoch = false };

        new LoraTrainer(lora, recording, options).Train(examples, reporter);

        long[] inOrder = [0, 1, 2, 3, 4, 5, 6];
        Assert.Equal([.. inOrder, .. inOrder], visited);
        // Steps take 2 examples: (a a) (b b) (c a) (d), twice; the epoch reports carry none.
        string[][] expected = [["a"], ["b"], ["c", "a"], ["d"]];
        Assert.Equal([.. expected, .. expected], reporter.Reports.Where(r => r.Kind == TrainingProgressKind.Step).Select(r => r.TemplateIds.ToArray()));
        Assert.All(reporter.Reports.Where(r => r.Kind == TrainingProgressKind.Epoch), r => Assert.Empty(r.TemplateIds));

        // With the shuffle (the default), the same examples are visited in the seeded order of each epoch.
        var (m2, l2) = ToyTask.Model();
        var shuffled = new List<long>();
        CausalLMForward recording2 = (input, mask) =>
        {
            for (long b = 0; b < input.shape[0]; b++)
                shuffled.Add(input[b, 0].item<long>() - 3);
            return m2.forward(input, mask);
        };
        new LoraTrainer(l2, recording2, new TrainingOptions { Epochs = 2, BatchSize = 1, GradientAccumulationSteps = 2, MaxLength = 4, Seed = 9 }).Train(examples);
        Assert.Equal([.. EpochShuffle.Order(7, 9, 0).Select(i => (long)i), .. EpochShuffle.Order(7, 9, 1).Select(i => (long)i)], shuffled);
    }

    [Fact]
    public void AHalfWrittenCheckpointOfAKilledProcessIsNeverTakenAsValid()
    {
        using var dir = new TempFolder();
        var (model, lora) = ToyTask.Model();
        new LoraTrainer(lora, Forward(model), Options(dir.Path, every: 2)).Train(ToyTask.Examples());
        // What a kill during the write of step 8 leaves behind: the temporary folder, partly written.
        string partial = Path.Combine(dir.Path, ".checkpoint-00000008.tmp");
        Directory.CreateDirectory(partial);
        File.WriteAllBytes(Path.Combine(partial, TrainingCheckpoint.AdapterFile), [1, 2, 3]);
        // And a folder with a checkpoint's name but no state file (not produced by us, but not trusted either).
        Directory.CreateDirectory(Path.Combine(dir.Path, "checkpoint-00000009"));

        Assert.EndsWith("checkpoint-00000006", LoraTrainer.FindLatestCheckpoint(dir.Path));
        Assert.Equal(new[] { 2, 4, 6 }, TrainingCheckpoint.List(dir.Path).Select(c => c.Step));
    }

    [Fact]
    public void OnlyTheNewestCheckpointsAreKept()
    {
        using var dir = new TempFolder();
        var (model, lora) = ToyTask.Model();
        new LoraTrainer(lora, Forward(model), Options(dir.Path, every: 1)).Train(ToyTask.Examples());
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, TrainingCheckpoint.List(dir.Path).Select(c => c.Step));

        using var dir2 = new TempFolder();
        var (m2, l2) = ToyTask.Model();
        var keepTwo = new TrainingOptions { Epochs = 3, BatchSize = 2, GradientAccumulationSteps = 2, MaxLength = 4, CheckpointDirectory = dir2.Path, CheckpointEvery = 1, KeepCheckpoints = 2 };
        new LoraTrainer(l2, Forward(m2), keepTwo).Train(ToyTask.Examples());
        Assert.Equal(new[] { 5, 6 }, TrainingCheckpoint.List(dir2.Path).Select(c => c.Step));
    }

    [Fact]
    public void GradientAccumulationEqualsOneLargeBatch()
    {
        var examples = ToyTask.Examples().Take(4).ToList();
        var (m1, l1) = ToyTask.Model(dropout: 0);
        var (m2, l2) = ToyTask.Model(dropout: 0);
        var big = new TrainingOptions { Epochs = 1, BatchSize = 4, LearningRate = 1e-2, WarmupRatio = 0, MaxGradientNorm = 0 };
        var accumulated = new TrainingOptions { Epochs = 1, BatchSize = 1, GradientAccumulationSteps = 4, LearningRate = 1e-2, WarmupRatio = 0, MaxGradientNorm = 0 };
        var r1 = new Reporter(_ => { });
        var r2 = new Reporter(_ => { });
        new LoraTrainer(l1, Forward(m1), big).Train(examples, r1);
        new LoraTrainer(l2, Forward(m2), accumulated).Train(examples, r2);

        Assert.Equal(r1.Reports[0].Loss, r2.Reports[0].Loss, 5);
        Assert.Equal(r1.Reports[0].GradientNorm, r2.Reports[0].GradientNorm, 5);
        foreach (var ((name, a), (_, b)) in l1.NamedParameters().Zip(l2.NamedParameters()))
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-7), $"{name} differs");
    }

    [Fact]
    public void ClippingScalesTheGlobalNormDownToTheLimit()
    {
        var a = new Parameter(zeros(2));
        var b = new Parameter(zeros(1));
        a.grad = tensor(new float[] { 3, 0 });
        b.grad = tensor(new float[] { 4 });
        double norm = LoraTrainer.ClipGradients([a, b], maxNorm: 1.0);

        Assert.Equal(5.0, norm, 6);
        Assert.Equal(0.6, a.grad!.data<float>()[0], 5);
        Assert.Equal(0.8, b.grad!.data<float>()[0], 5);

        // Below the limit nothing changes.
        Assert.Equal(1.0, LoraTrainer.ClipGradients([a, b], maxNorm: 5.0), 5);
        Assert.Equal(0.6, a.grad!.data<float>()[0], 5);
    }
}
