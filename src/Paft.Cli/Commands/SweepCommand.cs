using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.MLNet.Demo;
using TorchSharp;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft sweep</c>: the paper's PAFT studies on the embedded demo task, on one shared base model, every model
/// evaluated on the same unseen test templates. The pool study (Figure 6): PAFT trained with growing training
/// pools; the ablation (Table 3): PAFT on the full training pool for every K (redraw every K steps) and epoch
/// count. Tables on stdout, sweep.csv, ablation.csv, per-model eval.json and training_log.csv, and a report.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var prompts = new Option<string>("--prompts") { Description = "Pool study: training pool sizes, comma-separated (trained at K 4, 3 epochs).", DefaultValueFactory = _ => "1,4,16,64" };
        var redraw = new Option<string>("--redraw") { Description = "Ablation: values of K (redraw the template every K optimizer steps), comma-separated.", DefaultValueFactory = _ => "1,2,4,8" };
        var epochs = new Option<string>("--epochs") { Description = "Ablation: epoch counts, comma-separated.", DefaultValueFactory = _ => "3,6" };
        var study = new Option<string>("--study") { Description = "Which study to run: pool (Figure 6), grid (the K × epochs ablation, Table 3) or all.", DefaultValueFactory = _ => "all" };
        var output = new Option<string>("--out") { Description = "Folder for sweep.csv, ablation.csv, the report and the models.", DefaultValueFactory = _ => "paft-sweep" };
        var seed = new Option<int?>("--seed") { Description = "Seed of everything drawn (default: the demo recipe's)." };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: one per core)." };
        var quick = new Option<bool>("--quick") { Description = "Toy sizes (seconds); the numbers mean nothing." };
        var command = new Command("sweep",
            "PAFT studies on the demo task, on one base model: test accuracy against the number of training templates (Figure 6) and against K and epochs (Table 3).")
        {
            prompts, redraw, epochs, study, output, seed, threads, quick,
        };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            string which = parseResult.GetValue(study)!.Trim().ToLowerInvariant();
            if (which is not ("all" or "pool" or "grid"))
                throw new CommandInputException($"--study: '{parseResult.GetValue(study)}' is not one of pool, grid, all.");
            bool pool = which is "all" or "pool", grid = which is "all" or "grid";
            int[] sizes = pool ? ParseList(parseResult.GetValue(prompts)!, "--prompts", "pool size") : [];
            int[] ks = grid ? ParseList(parseResult.GetValue(redraw)!, "--redraw", "value of K") : [];
            int[] epochCounts = grid ? ParseList(parseResult.GetValue(epochs)!, "--epochs", "epoch count") : [];
            string folder = Path.GetFullPath(parseResult.GetValue(output)!);
            int threadCount = parseResult.GetValue(threads) ?? Environment.ProcessorCount;
            if (threadCount < 1)
                throw new CommandInputException($"--threads must be at least 1; got {threadCount}.");
            torch.set_num_threads(threadCount);
            int seedValue = parseResult.GetValue(seed) ?? new DemoOptions().Seed;
            DemoOptions options = Options(folder, seedValue, parseResult.GetValue(quick), sizes);

            // The ablation trains on the full training pool, as the paper's Table 3 does.
            int fullPool = DemoRecipe.TrainingPoolSize(options);
            DemoSweepSetting[] poolSettings = sizes.Select(n => new DemoSweepSetting(n, options.RedrawEverySteps, options.FineTuneEpochs)).ToArray();
            IReadOnlyList<DemoSweepSetting> gridSettings = DemoSweepSetting.Grid(fullPool, ks, epochCounts);

            var clock = Stopwatch.StartNew();
            IReadOnlyList<DemoSweepPoint> points = ProgressDisplay.Run(stdout, "sweep", progress =>
                DemoRecipe.Sweep(options, [.. poolSettings, .. gridSettings], new DemoCommand.StageProgress(progress)));
            clock.Stop();
            DemoSweepPoint[] poolPoints = points.Take(poolSettings.Length).ToArray();
            DemoSweepPoint[] gridPoints = points.Skip(poolSettings.Length).ToArray();

            // One evaluation a distinct model (a setting in both studies was trained once), saved beside it so
            // that `paft report --in` rebuilds the report from the folder.
            DemoSweepPoint[] models = points.DistinctBy(p => p.Setting).ToArray();
            EvalResult[] methods = models.Select(p => Evaluation(p, options)).ToArray();
            for (int i = 0; i < models.Length; i++)
                if (models[i].Result.ModelDirectory is string modelFolder)
                {
                    EvalResultFile.SaveResult(methods[i], Path.Combine(modelFolder, "eval.json"));
                    DemoCommand.Log(models[i].Result.Losses).Save(Path.Combine(modelFolder, TrainingLog.FileName));
                }

            var sweep = poolPoints.Select(p => new SweepPoint(p.TrainingTemplates, p.Result.Mean, p.Result.StandardDeviation)).ToArray();
            var ablation = gridPoints.Select(p => new AblationPoint(p.Setting.RedrawEverySteps, p.Setting.Epochs, p.TrainingTemplates,
                p.Result.Mean, p.Result.StandardDeviation, p.Result.Min)).ToArray();
            if (pool)
                SweepFile.Save(sweep, Path.Combine(folder, SweepFile.FileName));
            if (grid)
                AblationFile.Save(ablation, Path.Combine(folder, AblationFile.FileName));

            stdout.WriteLine();
            if (pool)
                WritePoolTable(stdout, options, poolPoints);
            if (grid)
                WriteGridTable(stdout, fullPool, ks, epochCounts, gridPoints);

            var setup = new List<(string, string)>();
            if (pool)
                setup.Add(("pool study (Figure 6)", $"pool sizes {string.Join(", ", sizes)}, K {options.RedrawEverySteps}, {options.FineTuneEpochs} epochs"));
            if (grid)
                setup.Add(("K × epochs ablation (Table 3)", $"K {string.Join(", ", ks)} × epochs {string.Join(", ", epochCounts)} on all {fullPool} training templates"));
            setup.Add(("seed", seedValue.ToString(CultureInfo.InvariantCulture)));
            setup.Add(("time", string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalMinutes:F1} min on {threadCount} thread(s), {models.Length} fine-tuned model(s) and one base")));
            ReportFiles files = ReportWriter.Write(new ReportContent(
                "PAFT studies: test accuracy against the number of training templates, K and epochs",
                methods,
                models.Select(p => (p.Result.Name, DemoCommand.Log(p.Result.Losses))).ToArray(),
                sweep,
                setup)
            {
                Ablation = ablation,
            }, folder);
            stdout.WriteLine($"Report: {files.Markdown}");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {clock.Elapsed.TotalMinutes:F1} min ({threadCount} thread(s))."));
            return CommandExit.Success;
        }));
        return command;
    }

    private static DemoOptions Options(string folder, int seed, bool quick, int[] sizes)
    {
        int largest = sizes.Length == 0 ? 1 : sizes.Max();
        // The test pool stays a quarter of all templates; the training pool must hold the largest size.
        int needed = (int)Math.Ceiling(largest / 0.75) + 4;
        return quick
            ? DemoCommand.QuickOptions(folder, seed, Math.Max(12, needed))
            : new DemoOptions { OutputDirectory = folder, Seed = seed, Templates = Math.Max(new DemoOptions().Templates, needed) };
    }

    private static EvalResult Evaluation(DemoSweepPoint point, DemoOptions options)
    {
        EvalResult result = DemoCommand.ToEvalResult(point.Result, options, "where-is");
        var run = new Dictionary<string, string>(result.Run, StringComparer.Ordinal)
        {
            ["redrawEverySteps"] = point.Setting.RedrawEverySteps.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = point.Setting.Epochs.ToString(CultureInfo.InvariantCulture),
        };
        return result with { Run = run };
    }

    private static void WritePoolTable(TextWriter stdout, DemoOptions options, IReadOnlyList<DemoSweepPoint> points)
    {
        stdout.WriteLine($"Pool study (the paper's Figure 6): K {options.RedrawEverySteps}, {options.FineTuneEpochs} epochs.");
        stdout.WriteLine("| Training templates | Mean ± Std | Min |");
        stdout.WriteLine("|---:|---:|---:|");
        foreach (DemoSweepPoint p in points)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {p.TrainingTemplates} | {100 * p.Result.Mean:F2} ± {100 * p.Result.StandardDeviation:F2} | {100 * p.Result.Min:F2} |"));
        stdout.WriteLine();
    }

    /// <summary>The paper's Table 3 shape: a row per K, a column per epoch count.</summary>
    private static void WriteGridTable(TextWriter stdout, int fullPool, int[] ks, int[] epochCounts, IReadOnlyList<DemoSweepPoint> points)
    {
        stdout.WriteLine($"K × epochs ablation (the paper's Table 3): all {fullPool} training templates; mean ± std (min).");
        stdout.WriteLine("| K | " + string.Join(" | ", epochCounts.Select(e => $"{e} epochs")) + " |");
        stdout.WriteLine("|---:|" + string.Concat(epochCounts.Select(_ => "---:|")));
        foreach (int k in ks)
            stdout.WriteLine($"| {k} | " + string.Join(" | ", epochCounts.Select(e =>
            {
                DemoMethodResult r = points.First(p => p.Setting.RedrawEverySteps == k && p.Setting.Epochs == e).Result;
                return string.Create(CultureInfo.InvariantCulture, $"{100 * r.Mean:F2} ± {100 * r.StandardDeviation:F2} ({100 * r.Min:F2})");
            })) + " |");
        stdout.WriteLine();
    }

    private static int[] ParseList(string text, string option, string what)
    {
        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1)
                throw new CommandInputException($"{option}: '{parts[i]}' is not a positive whole number.");
        if (values.Length == 0)
            throw new CommandInputException($"{option}: give at least one {what} (or leave this study out with --study).");
        if (values.Distinct().Count() != values.Length)
            throw new CommandInputException($"{option}: '{text}' repeats a value.");
        return values;
    }
}
