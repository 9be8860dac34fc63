using System.Globalization;
using Paft.Stress;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// <c>stress [threads] [fits-per-thread] [rows-per-fit] [hidden-size] [collector-pause-ms]</c>: the suite's GC stress harness as a program —
/// PAFT fits and evaluations on several threads of one process while another thread forces garbage
/// collections in a loop. Prints every failure and exits 1 unless every fit and evaluation finished.
/// </summary>
internal static class GcStressProgram
{
    public static int Run(string[] args)
    {
        int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4;
        int fits = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        int rows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
        int hidden = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 16;
        int pauseMs = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        int hogs = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 0;
        int generation = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 2;
        int collectors = args.Length > 7 ? int.Parse(args[7], CultureInfo.InvariantCulture) : 1;
        int vocab = args.Length > 8 ? int.Parse(args[8], CultureInfo.InvariantCulture) : 32000;
        string folder = Path.Combine(Path.GetTempPath(), "paft-gc-stress-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            string? model = Environment.GetEnvironmentVariable("PAFT_STRESS_MODEL");
            if (model is null) GcStressHarness.WriteTinyModel(folder, hidden, vocab);
            else Directory.CreateDirectory(folder);
            Console.WriteLine($"stress: {threads} threads x {fits} fits of {rows} rows (each fit followed by an evaluation), " +
                              $"one thread forcing collections, torch threads {get_num_threads()}, {Environment.ProcessorCount} cores");
            GcStressResult result = GcStressHarness.Run(model ?? folder, threads, fits, rows, pauseMs, hogs, generation, collectors);
            foreach (Exception e in result.Failures)
                Console.WriteLine($"stress: FAILED: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            Console.WriteLine($"stress: {result.Fits} of {threads * fits} fits and {result.Evaluations} evaluations finished, " +
                              $"{result.Collections} forced collections, {result.Elapsed.TotalSeconds:F1} s");
            return result.Failures.Count == 0 && result.Fits == threads * fits && result.Evaluations == threads * fits ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
