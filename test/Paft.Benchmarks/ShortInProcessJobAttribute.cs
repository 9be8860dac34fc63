using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Paft.Benchmarks;

/// <summary>
/// One short in-process job: 1 launch, 2 warm-up and 5 measured iterations (overridable, below) (the machine is shared, so
/// runs stay short and results are read as ratios within a run; the in-process timeout is raised
/// from its default because a 20M training step on a loaded 2-core machine takes seconds), plus the GFLOP/s and fraction-of-matmul
/// columns. In-process because BenchmarkDotNet's generated child project does not carry
/// libtorch-cpu-linux-x64 nor the native-load fix, so TorchSharp cannot initialise there.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class ShortInProcessJobAttribute : Attribute, IConfigSource
{
    public ShortInProcessJobAttribute()
    {
        Config = ManualConfig.CreateEmpty()
            .AddJob(Job.Default
                .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true))
                .WithLaunchCount(1)
                .WithWarmupCount(Count("PAFT_BENCH_WARMUP", 2))
                .WithIterationCount(Count("PAFT_BENCH_ITERATIONS", 5))
                .WithId("ShortInProcess"))
            .AddColumn(new GflopsColumn(), new MatmulFractionColumn(best: false), new MatmulFractionColumn(best: true));
    }

    public IConfig Config { get; }

    // Fewer iterations for a machine too busy for the default (PAFT_BENCH_WARMUP, PAFT_BENCH_ITERATIONS).
    private static int Count(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out int n) && n > 0 ? n : fallback;
}
