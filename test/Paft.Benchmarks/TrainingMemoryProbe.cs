using System.Globalization;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// Peak memory of training, one configuration per fresh process (a process's peak cannot be reset):
/// the process's resident-set peak (VmHWM from /proc/self/status, managed and native memory alike)
/// after the model is built, and again after a training step (each step's time is printed too, as a
/// rough check only: speed is what the benchmarks measure). Their difference is what training
/// adds: gradients, optimizer state and activations.
/// Run: dotnet run -c Release --project test/Paft.Benchmarks -- memory llama-20m Lora
/// </summary>
internal static class TrainingMemoryProbe
{
    private const int Steps = 1;   // AdamW allocates its state in the first step, so the peak is reached there

    public static int Run(string[] args)
    {
        if (args.Length != 2 || !Enum.TryParse(args[1], ignoreCase: true, out TrainingMode mode))
        {
            Console.Error.WriteLine($"usage: memory <{BenchmarkModels.Stories260K}|{BenchmarkModels.Llama20M}> <Lora|Full>");
            return 2;
        }
        set_num_threads(BenchmarkModels.Threads);
        using var workload = new TrainingWorkload(args[0], mode);
        long afterSetupRss = ProcStatusKiB("VmRSS");
        long afterSetupPeak = ProcStatusKiB("VmHWM");
        var stepSeconds = new List<double>();
        for (int i = 0; i < Steps; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            workload.Step();
            stepSeconds.Add(clock.Elapsed.TotalSeconds);
        }
        long peak = ProcStatusKiB("VmHWM");

        var mib = (long kib) => (kib / 1024.0).ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine(
            $"model={args[0]} mode={mode} trainable_params={workload.TrainableParameters} " +
            $"total_params={workload.Model.parameters().Sum(p => p.NumberOfElements)} " +
            $"rss_after_setup_mib={mib(afterSetupRss)} peak_after_setup_mib={mib(afterSetupPeak)} " +
            $"peak_after_{Steps}_steps_mib={mib(peak)} training_added_mib={mib(peak - afterSetupRss)} " +
            $"step_seconds={string.Join(",", stepSeconds.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))}");
        return 0;
    }

    /// <summary>A "Name:   1234 kB" line of /proc/self/status, in KiB.</summary>
    private static long ProcStatusKiB(string name)
    {
        const string path = "/proc/self/status";
        foreach (string line in File.ReadLines(path))
        {
            if (!line.StartsWith(name + ":", StringComparison.Ordinal)) continue;
            string[] parts = line[(name.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kib))
                return kib;
            throw new FormatException($"{path}: cannot read '{line}' as '{name}: <n> kB'.");
        }
        throw new PlatformNotSupportedException($"{path} has no '{name}' line (the memory probe needs Linux).");
    }
}
