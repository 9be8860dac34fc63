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
/// count; the cost study (Tables 6 and 2): every method of the demo's comparison, timed while it chooses its
/// template, fine-tunes and answers in generation mode. Tables on stdout, sweep.csv, ablation.csv, per-model
/// eval.json and training_log.csv, the cost study's evaluations in methods/eval/, and a report.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var prompts = new Option<string>("--prompts") { Description = "Pool study: training pool sizes, comma-separated (trained at K 4, 3 epochs).", DefaultValueFactory = _ => "1,4,16,64" };
        var redraw = new Option<string>("--redraw") { Description = "Ablation: values of K (redraw the template every K optimizer steps), comma-separated.", DefaultValueFactory = _ => "1,2,4,8" };
        var epochs = new Option<string>("--epochs") { Description = "Ablation: epoch counts, comma-separated.", DefaultValueFactory = _ => "3,6" };
        var study = new Option<string>("--study")
        {
            Description = "Which studies to run, comma-separated: pool (Figure 6), grid (the K × epochs ablation, Table 3), cost (training and inference time per method, Tables 6 and 2), or all.",
            DefaultValueFactory = _ => "all",
        };
        var output = new Option<string>("--out") { Description = "Folder for sweep.csv, ablation.csv, the report and the models.", DefaultValueFactory = _ => "paft-sweep" };
        var seed = new Option<int?>("--seed") { Description = "Seed of everything drawn (default: the demo recipe's)." };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: one per core)." };
        var quick = new Option<bool>("--quick") { Description = "Toy sizes (seconds); the numbers mean nothing." };
        var command = new Command("sweep",
            "PAFT studies on the demo task, on one base model: accuracy against the number of training templates (Figure 6), against K and epochs (Table 3), and each method's training and inference time (Tables 6 and 2).")
        {
            prompts, redraw, epochs, study, output, seed, threads, quick,
        };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            HashSet<string> studies = ParseStudies(parseResult.GetValue(study)!);
            bool pool = studies.Contains("pool"), grid = studies.Contains("grid"), cost = studies.Contains("cost");
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
            IReadOnlyList<DemoSweepPoint> points = pool || grid
                ? ProgressDisplay.Run(stdout, "sweep", progress =>
                    DemoRecipe.Sweep(options, [.. poolSettings, .. gridSettings], new DemoCommand.StageProgress(progress)))
                : [];
            // The cost study fine-tunes every method of the comparison from the same base model (pretrained here
            // when it is the only study), in methods/.
            DemoResult? comparison = cost
                ? ProgressDisplay.Run(stdout, "cost", progress => DemoRecipe.Run(
                    Options(Path.Combine(folder, MethodsFolderName), seedValue, parseResult.GetValue(quick), sizes,
                        pool || grid ? Path.Combine(folder, "base") : null),
                    new DemoCommand.StageProgress(progress)))
                : null;
            clock.Stop();
            DemoSweepPoint[] poolPoints = points.Take(poolSettings.Length).ToArray();
            DemoSweepPoint[] gridPoints = points.Skip(poolSettings.Length).ToArray();

            // One evaluation a distinct model (a setting in both studies was trained once), saved beside it so
            // that `paft report --in` rebuilds the report from the folder.
            DemoSweepPoint[] models = points.DistinctBy(p => p.Setting).ToArray();
            EvalResult[] comparisonMethods = comparison is null ? [] : DemoCommand.Evaluations(comparison);
            if (comparison is not null)
                DemoCommand.SaveEvaluations(comparisonMethods, Path.Combine(folder, MethodsFolderName));
            EvalResult[] methods = [.. models.Select(p => Evaluation(p, options)), .. comparisonMethods];
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
            MethodTiming[] timings = comparison is null ? [] : DemoCommand.Timings(comparison.Methods);
            if (comparison is not null)
            {
                stdout.WriteLine("Training time per method (the paper's Table 6): template selection on the base model, then LoRA fine-tuning.");
                stdout.Write(TimingSection.TrainingTable(timings));
                stdout.WriteLine();
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Inference in generation mode (the paper's Table 2): {comparison.Options.GenerationPrompts} test prompts, one at a time, greedy, at most {comparison.Options.GenerationMaxNewTokens} tokens."));
                stdout.Write(TimingSection.InferenceTable(timings));
                stdout.WriteLine();
            }

            var setup = new List<(string, string)>();
            if (pool)
                setup.Add(("pool study (Figure 6)", $"pool sizes {string.Join(", ", sizes)}, K {options.RedrawEverySteps}, {options.FineTuneEpochs} epochs"));
            if (grid)
                setup.Add(("K × epochs ablation (Table 3)", $"K {string.Join(", ", ks)} × epochs {string.Join(", ", epochCounts)} on all {fullPool} training templates"));
            if (cost)
                setup.Add(("cost study (Tables 6 and 2)", $"base, SFT, TopAccuracy, ZOPO, BATprompt and PAFT as in `paft demo`, in {MethodsFolderName}/ (their evaluations in {MethodsFolderName}/{DemoCommand.EvalFolderName}/, clean and adversarial)"));
            setup.Add(("seed", seedValue.ToString(CultureInfo.InvariantCulture)));
            int trained = models.Length + (comparison?.Methods.Count(m => m.Losses.Count > 0) ?? 0);
            setup.Add(("time", string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalMinutes:F1} min on {threadCount} thread(s), {trained} fine-tuned model(s) and one base")));
            ReportFiles files = ReportWriter.Write(new ReportContent(
                "PAFT studies: test accuracy against the number of training templates, K and epochs",
                methods,
                [.. models.Select(p => (p.Result.Name, DemoCommand.Log(p.Result.Losses))),
                 .. (comparison?.Methods ?? []).Where(m => m.Losses.Count > 0).Select(m => (m.Name, DemoCommand.Log(m.Losses)))],
                sweep,
                setup)
            {
                Ablation = ablation,
                Timings = timings,
            }, folder);
            stdout.WriteLine($"Report: {files.Markdown}");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Done in {clock.Elapsed.TotalMinutes:F1} min ({threadCount} thread(s))."));
            return CommandExit.Success;
        }));
        return command;
    }

    /// <summary>The folder of the cost study's models and evaluations.</summary>
    public const string MethodsFolderName = "methods";

    /// <summary>The studies' settings; the same sizes give the same pools, so every study sees the same test templates.</summary>
    private static DemoOptions Options(string folder, int seed, bool quick, int[] sizes, string? baseModel = null)
    {
        int largest = sizes.Length == 0 ? 1 : sizes.Max();
        // The test pool stays a quarter of all templates; the training pool must hold the largest size.
        int needed = (int)Math.Ceiling(largest / 0.75) + 4;
        return quick
            ? DemoCommand.QuickOptions(folder, seed, Math.Max(12, needed), baseModel)
            : new DemoOptions { OutputDirectory = folder, Seed = seed, Templates = Math.Max(new DemoOptions().Templates, needed), BaseModelDirectory = baseModel };
    }

    private static HashSet<string> ParseStudies(string text)
    {
        string[] known = ["pool", "grid", "cost"];
        var studies = new HashSet<string>(StringComparer.Ordinal);
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = part.ToLowerInvariant();
            if (name == "all")
                studies.UnionWith(known);
            else if (known.Contains(name))
                studies.Add(name);
            else
                throw new CommandInputException($"--study: '{part}' is not one of pool, grid, cost, all.");
        }
        return studies.Count > 0 ? studies : throw new CommandInputException("--study: name at least one of pool, grid, cost, all.");
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
