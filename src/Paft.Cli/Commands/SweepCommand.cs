using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.Demo;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft sweep</c>: the paper's PAFT studies on the embedded demo task, on one shared base model, every model
/// evaluated on the same unseen test templates. The pool study (Figure 6): PAFT trained with growing training
/// pools; the ablation (Table 3): PAFT on the full training pool for every K (redraw every K steps) and epoch
/// count; the cost study (Tables 6 and 2): every method of the demo's comparison, timed while it chooses its
/// template, fine-tunes and answers in generation mode. Tables on stdout, sweep.csv, ablation.csv, per-model
/// eval.json and training_log.csv, the cost study's evaluations in methods/eval/, and a report. With
/// <c>--seeds N</c> the pool and grid studies run once per seed, each in <c>seed-S/</c> on its own base model; the
/// tables, CSVs and figures show the mean over the seeds and the spread across them, and <c>*-by-seed.csv</c> keep
/// every seed's rows.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var prompts = new Option<string>("--prompts") { Description = "Pool study: training pool sizes, comma-separated (trained at K 4, 3 epochs).", DefaultValueFactory = _ => "1,4,16,64" };
        var redraw = new Option<string>("--k") { Description = "Ablation: values of K (RedrawEverySteps: the template is held for K optimizer steps, then redrawn), comma-separated.", DefaultValueFactory = _ => "1,2,4,8" };
        var epochs = new Option<string>("--epochs") { Description = "Ablation: epoch counts, comma-separated.", DefaultValueFactory = _ => "3,6" };
        var study = new Option<string>("--study")
        {
            Description = "Which studies to run, comma-separated: pool (Figure 6), grid (the K × epochs ablation, Table 3), cost (training and inference time per method, Tables 6 and 2), or all.",
            DefaultValueFactory = _ => "all",
        };
        var output = new Option<string>("--out") { Description = "Folder for sweep.csv, ablation.csv, the report and the models.", DefaultValueFactory = _ => "paft-sweep" };
        var seed = new Option<int?>("--seed") { Description = "Seed of everything drawn (default: the demo recipe's); with --seeds, the first seed." };
        var seeds = new Option<int>("--seeds")
        {
            Description = "Run the pool and grid studies once per seed (--seed, --seed + 1, ...), each on its own base model in seed-S/, and report the mean over seeds and the std across seeds; the cost study runs on the first.",
            DefaultValueFactory = _ => 1,
        };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: one per core)." };
        var quick = new Option<bool>("--quick") { Description = "Toy sizes (seconds); the numbers mean nothing." };
        Option<string> dtype = ModelCommandOptions.DType("Compute dtype of fine-tuning and evaluation: fp32 (default) or bf16 (pretraining is fp32).");
        var command = new Command("sweep",
            "PAFT studies on the demo task, on one base model: accuracy against the number of training templates (Figure 6), against K and epochs (Table 3), and each method's training and inference time (Tables 6 and 2).")
        {
            prompts, redraw, epochs, study, output, seed, seeds, threads, quick, dtype,
        };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            HashSet<string> studies = ParseStudies(parseResult.GetValue(study)!);
            bool pool = studies.Contains("pool"), grid = studies.Contains("grid"), cost = studies.Contains("cost");
            int[] sizes = pool ? ParseList(parseResult.GetValue(prompts)!, "--prompts", "pool size") : [];
            int[] ks = grid ? ParseList(parseResult.GetValue(redraw)!, "--k", "value of K") : [];
            int[] epochCounts = grid ? ParseList(parseResult.GetValue(epochs)!, "--epochs", "epoch count") : [];
            string folder = Path.GetFullPath(parseResult.GetValue(output)!);
            int threadCount = TorchThreads.Apply(parseResult.GetValue(threads));
            int seedValue = parseResult.GetValue(seed) ?? new DemoOptions().Seed;
            int[] seedList = SeedList(seedValue, parseResult.GetValue(seeds), pool || grid);
            bool several = seedList.Length > 1;
            bool quickRun = parseResult.GetValue(quick);
            PaftComputeType computeType = parseResult.GetValue(dtype) == "bf16" ? PaftComputeType.BFloat16 : PaftComputeType.Float32;
            // One seed keeps today's layout; several put each seed's base model and models in seed-S/.
            DemoOptions Seeded(int s) => Options(several ? Path.Combine(folder, SeedFolderName(s)) : folder, s, quickRun, sizes, computeType);
            DemoOptions options = Seeded(seedValue);

            // The ablation trains on the full training pool, as the paper's Table 3 does.
            int fullPool = DemoRecipe.TrainingPoolSize(options);
            // The grid's settings name the pool size, so every seed must draw a training pool of that size.
            foreach (int s in seedList.Skip(1))
                if (DemoRecipe.TrainingPoolSize(Seeded(s)) is int other && other != fullPool)
                    throw new CommandInputException($"--seeds: seed {s} draws {other} training templates, seed {seedValue} {fullPool}; the studies need the same pool size for every seed.");
            DemoSweepSetting[] poolSettings = sizes.Select(n => new DemoSweepSetting(n, options.RedrawEverySteps, options.FineTuneEpochs)).ToArray();
            IReadOnlyList<DemoSweepSetting> gridSettings = DemoSweepSetting.Grid(fullPool, ks, epochCounts);

            var clock = Stopwatch.StartNew();
            // Every seed runs the same settings on its own base model (its own splits, pools and pretraining).
            var runs = new List<SeedRun>();
            if (pool || grid)
                foreach (int s in seedList)
                {
                    DemoOptions seedOptions = Seeded(s);
                    runs.Add(new SeedRun(s, seedOptions, ProgressDisplay.Run(stdout, several ? $"sweep, seed {s}" : "sweep", progress =>
                        DemoRecipe.Sweep(seedOptions, [.. poolSettings, .. gridSettings], new DemoCommand.StageProgress(progress)))));
                }
            // The cost study fine-tunes every method of the comparison from the first seed's base model (pretrained
            // here when it is the only study), in methods/: timings need one run, not a spread.
            DemoResult? comparison = cost
                ? ProgressDisplay.Run(stdout, "cost", progress => DemoRecipe.Run(
                    Options(Path.Combine(folder, MethodsFolderName), seedValue, quickRun, sizes, computeType,
                        pool || grid ? Path.Combine(options.OutputDirectory!, "base") : null),
                    new DemoCommand.StageProgress(progress)))
                : null;
            clock.Stop();

            // One evaluation a distinct model (a setting in both studies was trained once), saved beside it so
            // that `paft report --in` rebuilds the report from the folder. Over several seeds a model's name ends
            // in its seed, so that the report's names stay distinct.
            var models = new List<DemoSweepPoint>();
            var modelEvaluations = new List<EvalResult>();
            foreach (SeedRun run in runs)
                foreach (DemoSweepPoint model in run.Points.DistinctBy(p => p.Setting))
                {
                    EvalResult evaluation = Evaluation(model, run.Options, several ? $"-s{run.Seed}" : "");
                    models.Add(model);
                    modelEvaluations.Add(evaluation);
                    if (model.Result.ModelDirectory is string modelFolder)
                    {
                        // eval.json takes its folder's name when read back; over several seeds the folders repeat
                        // across seed-S/, so the file carries the seeded name itself.
                        EvalResultFile.SaveResult(evaluation, Path.Combine(modelFolder, several ? evaluation.Method + ".json" : "eval.json"));
                        DemoCommand.Log(model.Result.Losses).Save(Path.Combine(modelFolder, TrainingLog.FileName));
                    }
                }
            EvalResult[] comparisonMethods = comparison is null ? [] : DemoCommand.Evaluations(comparison);
            if (comparison is not null)
                DemoCommand.SaveEvaluations(comparisonMethods, Path.Combine(folder, MethodsFolderName));
            EvalResult[] methods = [.. modelEvaluations, .. comparisonMethods];

            SeedRow<SweepPoint>[] sweepRows = runs.SelectMany(r => r.Points.Take(poolSettings.Length).Select(p =>
                new SeedRow<SweepPoint>(r.Seed, new SweepPoint(p.TrainingTemplates, p.Result.Mean, p.Result.StandardDeviation)))).ToArray();
            SeedRow<AblationPoint>[] ablationRows = runs.SelectMany(r => r.Points.Skip(poolSettings.Length).Select(p =>
                new SeedRow<AblationPoint>(r.Seed, new AblationPoint(p.Setting.RedrawEverySteps, p.Setting.Epochs, p.TrainingTemplates,
                    p.Result.Mean, p.Result.StandardDeviation, p.Result.Min)))).ToArray();
            IReadOnlyList<SweepPoint> sweep = several ? SeedAggregate.Sweep(sweepRows) : sweepRows.Select(r => r.Point).ToArray();
            IReadOnlyList<AblationPoint> ablation = several ? SeedAggregate.Ablation(ablationRows) : ablationRows.Select(r => r.Point).ToArray();
            if (pool)
            {
                SweepFile.Save(sweep, Path.Combine(folder, SweepFile.FileName));
                if (several)
                    SweepFile.SaveBySeed(sweepRows, Path.Combine(folder, SweepFile.BySeedFileName));
            }
            if (grid)
            {
                AblationFile.Save(ablation, Path.Combine(folder, AblationFile.FileName));
                if (several)
                    AblationFile.SaveBySeed(ablationRows, Path.Combine(folder, AblationFile.BySeedFileName));
            }

            stdout.WriteLine();
            if (several)
            {
                if (pool)
                    WritePoolTableOverSeeds(stdout, options, seedList, sweep, sweepRows);
                if (grid)
                    WriteGridTableOverSeeds(stdout, fullPool, seedList.Length, ks, epochCounts, ablation);
            }
            else
            {
                DemoSweepPoint[] points = runs.Count == 0 ? [] : [.. runs[0].Points];
                if (pool)
                    WritePoolTable(stdout, options, points.Take(poolSettings.Length).ToArray());
                if (grid)
                    WriteGridTable(stdout, fullPool, ks, epochCounts, points.Skip(poolSettings.Length).ToArray());
            }
            MethodTiming[] timings = comparison is null ? [] : DemoCommand.Timings(comparison.Methods);
            if (comparison is not null)
                MethodTimingFile.Save(timings, Path.Combine(folder, MethodTimingFile.FileName));
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
            setup.Add(several
                ? ("seeds", $"{seedList.Length}: {string.Join(", ", seedList)} (the pool and grid studies once per seed, each on its own base model in seed-S/; the tables show the mean over seeds and the std across seeds{(cost ? $"; the cost study on seed {seedValue}" : "")})")
                : ("seed", seedValue.ToString(CultureInfo.InvariantCulture)));
            int trained = models.Count + (comparison?.Methods.Count(m => m.Losses.Count > 0) ?? 0);
            string bases = pool || grid ? (several ? $"{seedList.Length} bases" : "one base") : "one base";
            setup.Add(("time", string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalMinutes:F1} min on {threadCount} thread(s), {trained} fine-tuned model(s) and {bases}")));
            ReportFiles files = ReportWriter.Write(new ReportContent(
                "PAFT studies: test accuracy against the number of training templates, K and epochs",
                methods,
                [.. models.Select((p, i) => (modelEvaluations[i].Method, DemoCommand.Log(p.Result.Losses))),
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

    /// <summary>One seed's studies: its options (folder, seed) and one point a setting, pool settings first.</summary>
    private sealed record SeedRun(int Seed, DemoOptions Options, IReadOnlyList<DemoSweepPoint> Points);

    /// <summary>The folder of one seed's base model and models when the studies run over several seeds.</summary>
    internal static string SeedFolderName(int seed) => string.Create(CultureInfo.InvariantCulture, $"seed-{seed}");

    /// <summary>The seeds to run: <paramref name="first"/> and the <paramref name="count"/> − 1 whole numbers after it.</summary>
    private static int[] SeedList(int first, int count, bool trainingStudies)
    {
        if (count < 1)
            throw new CommandInputException($"--seeds must be at least 1; got {count}.");
        if (count > 1 && !trainingStudies)
            throw new CommandInputException("--seeds: only the pool and grid studies run over several seeds (the cost study runs on --seed); add pool or grid to --study, or leave --seeds at 1.");
        if ((long)first + count - 1 > int.MaxValue)
            throw new CommandInputException($"--seeds: {count} seeds from --seed {first} run past the largest seed, {int.MaxValue}.");
        return Enumerable.Range(0, count).Select(i => first + i).ToArray();
    }

    /// <summary>The studies' settings; the same sizes give the same pools, so every study sees the same test templates.</summary>
    private static DemoOptions Options(string folder, int seed, bool quick, int[] sizes, PaftComputeType computeType, string? baseModel = null)
    {
        int largest = sizes.Length == 0 ? 1 : sizes.Max();
        // The test pool stays a quarter of all templates; the training pool must hold the largest size.
        int needed = (int)Math.Ceiling(largest / 0.75) + 4;
        return quick
            ? DemoCommand.QuickOptions(folder, seed, Math.Max(12, needed), baseModel, computeType)
            : new DemoOptions
            {
                OutputDirectory = folder, Seed = seed, Templates = Math.Max(new DemoOptions().Templates, needed), BaseModelDirectory = baseModel, ComputeType = computeType,
            };
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

    private static EvalResult Evaluation(DemoSweepPoint point, DemoOptions options, string suffix)
    {
        EvalResult result = DemoCommand.ToEvalResult(point.Result, options);
        result = result with { Method = result.Method + suffix };
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

    /// <summary>The pool study over several seeds: the mean over seeds ± the std across seeds, the mean std across templates, and each seed's mean.</summary>
    private static void WritePoolTableOverSeeds(TextWriter stdout, DemoOptions options, int[] seedList, IReadOnlyList<SweepPoint> points,
        IReadOnlyList<SeedRow<SweepPoint>> rows)
    {
        stdout.WriteLine($"Pool study (the paper's Figure 6): K {options.RedrawEverySteps}, {options.FineTuneEpochs} epochs, {seedList.Length} seeds; " +
                         "mean over seeds ± std across seeds, the std across test templates (mean over seeds), and each seed's mean.");
        stdout.WriteLine("| Training templates | Mean ± Std across seeds | Std across templates | " + string.Join(" | ", seedList.Select(s => $"seed {s}")) + " |");
        stdout.WriteLine("|---:|---:|---:|" + string.Concat(seedList.Select(_ => "---:|")));
        foreach (SweepPoint p in points)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {p.TrainingTemplates} | {100 * p.MeanAccuracy:F2} ± {100 * p.SeedStdDev:F2} | {100 * p.AccuracyStdDev:F2} | ")
                + string.Join(" | ", seedList.Select(s => string.Create(CultureInfo.InvariantCulture,
                    $"{100 * rows.First(r => r.Seed == s && r.Point.TrainingTemplates == p.TrainingTemplates).Point.MeanAccuracy:F2}"))) + " |");
        stdout.WriteLine();
    }

    /// <summary>The paper's Table 3 shape over several seeds: each cell the mean over seeds ± the std across seeds (the mean worst template).</summary>
    private static void WriteGridTableOverSeeds(TextWriter stdout, int fullPool, int seedCount, int[] ks, int[] epochCounts, IReadOnlyList<AblationPoint> points)
    {
        stdout.WriteLine($"K × epochs ablation (the paper's Table 3): all {fullPool} training templates, {seedCount} seeds; mean over seeds ± std across seeds (worst template, mean over seeds).");
        stdout.WriteLine("| K | " + string.Join(" | ", epochCounts.Select(e => $"{e} epochs")) + " |");
        stdout.WriteLine("|---:|" + string.Concat(epochCounts.Select(_ => "---:|")));
        foreach (int k in ks)
            stdout.WriteLine($"| {k} | " + string.Join(" | ", epochCounts.Select(e =>
            {
                AblationPoint p = points.First(p => p.RedrawEverySteps == k && p.Epochs == e);
                return string.Create(CultureInfo.InvariantCulture, $"{100 * p.MeanAccuracy:F2} ± {100 * p.SeedStdDev:F2} ({100 * p.MinAccuracy:F2})");
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
