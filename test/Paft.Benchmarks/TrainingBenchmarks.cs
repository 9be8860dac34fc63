using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// Training tokens/s at batch 8 × sequence 256, fp32, AdamW: LoRA r 8 on q_proj,v_proj through the
/// real <c>LoraTrainer</c>, and full fine-tuning (all weights trainable) for comparison, with the
/// model-FLOPs utilisation against the 1024² fp32 matmul of the same run (columns GFLOP/s, OfMatmul;
/// time is per token).
/// Training FLOPs per token, with N the linear weights (lm_head included, embedding lookup not) and
/// A the attention forward FLOPs (<see cref="BenchmarkModels.AttentionFlopsPerToken"/>):
/// LoRA = 4N + 3A (forward 2N + A; backward to the activations 2N + 2A; no base weight gradients; the
/// rank-8 adapters' own FLOPs are below 1% and left out); full = 6N + 3A (backward adds the weight gradients).
/// Peak memory is measured by the separate probe (<see cref="TrainingMemoryProbe"/>), one fresh process per config.
/// Run: dotnet run -c Release --project test/Paft.Benchmarks -- --filter '*TrainingBenchmarks*'
/// </summary>
[ShortInProcessJob]
public class TrainingBenchmarks
{
    private TrainingWorkload _workload = null!;
    private Tensor _square = null!;

    /// <summary>Which model: <c>stories260K</c> or <c>llama-20m</c> (see <see cref="BenchmarkModels.Names"/>).</summary>
    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = BenchmarkModels.Stories260K;

    /// <summary>The values of <see cref="Model"/>.</summary>
    public static IEnumerable<string> Models => BenchmarkModels.Names;

    /// <summary>LoRA or full fine-tuning.</summary>
    [Params(TrainingMode.Lora, TrainingMode.Full)]
    public TrainingMode Mode { get; set; }

    /// <summary>Builds the model and optimizer and records the FLOPs per token of this configuration.</summary>
    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(BenchmarkModels.Threads);
        _workload = new TrainingWorkload(Model, Mode);
        _square = randn([1024, 1024], generator: new Generator(1));
        double n = BenchmarkModels.LinearWeights(_workload.Model);
        double a = BenchmarkModels.AttentionFlopsPerToken(_workload.Model, TrainingWorkload.SequenceLength);
        WorkloadFlops.Record(nameof(TrainStep), Mode == TrainingMode.Lora ? 4 * n + 3 * a : 6 * n + 3 * a, Model, Mode);
        WorkloadFlops.Record(nameof(Matmul1024), 2.0 * 1024 * 1024 * 1024, Model, Mode);
    }

    /// <summary>One optimizer step on 8 × 256 tokens, per token.</summary>
    [Benchmark(OperationsPerInvoke = TrainingWorkload.TokensPerStep)]
    public void TrainStep() => _workload.Step();

    /// <summary>The reference rate: a 1024 × 1024 × 1024 fp32 matmul.</summary>
    [Benchmark]
    public void Matmul1024()
    {
        using var y = _square.matmul(_square);
    }

    /// <summary>Frees the model, optimizer and tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _workload.Dispose();
        _square.Dispose();
    }
}
