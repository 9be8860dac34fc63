using System.CommandLine;
using System.Diagnostics;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.Demo;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft demo</c>: the README's first command. Pretrains a tiny LLaMA on the embedded task, fine-tunes it
/// with one template (SFT), with the template chosen by TopAccuracy, ZOPO and BATprompt, and with PAFT,
/// evaluates the six models on test templates none of them saw and on their adversarial variants, prints
/// the paper's Table 1, and writes the evaluations (for <c>paft compare</c>) and a report with plots,
/// the methods' costs included. No download, no GPU.
/// </summary>
internal static class DemoCommand
{
    /// <summary>Top-X threshold of the demo's table: the evaluator's default for tasks the paper does not cover.</summary>
    private const double TopXThreshold = TopXThresholds.Default;

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for the report, the plots and the models (base/, sft/, sft-top/, zopo/, batprompt/, paft/).", DefaultValueFactory = _ => "paft-demo" };
        var seed = new Option<int?>("--seed") { Description = "Seed of everything the demo draws (default: the recipe's); with --seeds, the first seed." };
        var seeds = new Option<int>("--seeds")
        {
            Description = "Run the whole demo once per seed (--seed, --seed + 1, ...), each in seed-S/, and print every seed's row and each method's mean over seeds ± std across seeds (also in seeds.csv and seeds.json).",
            DefaultValueFactory = _ => 1,
        };
        Option<string> dtype = ModelCommandOptions.DType("Compute dtype of fine-tuning and evaluation: fp32 (default) or bf16 (pretraining is fp32).");
        var baseOnly = new Option<bool>("--base-only") { Description = "Only pretrain the base model (base/) and write the task, its rows and its pools; fine-tune nothing." };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: one per core)." };
        var quick = new Option<bool>("--quick") { Description = "A tiny run (seconds) that exercises every step; its numbers mean nothing." };
        var command = new Command("demo", "Pretrain a tiny LLaMA on the embedded task, compare base, SFT, TopAccuracy, ZOPO, BATprompt and PAFT on unseen and adversarial templates, and write a report.")
        {
            output, seed, seeds, dtype, baseOnly, threads, quick,
        };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            string folder = Path.GetFullPath(parseResult.GetValue(output)!);
            int threadCount = TorchThreads.Apply(parseResult.GetValue(threads));
            int first = parseResult.GetValue(seed) ?? new DemoOptions().Seed;
            int count = parseResult.GetValue(seeds);
            if (count < 1)
                throw new CommandInputException($"--seeds must be at least 1; got {count}.");
            if ((long)first + count - 1 > int.MaxValue)
                throw new CommandInputException($"--seeds: {count} seeds from --seed {first} run past the largest seed, {int.MaxValue}.");
            PaftComputeType computeType = parseResult.GetValue(dtype) == "bf16" ? PaftComputeType.BFloat16 : PaftComputeType.Float32;
            bool quickRun = parseResult.GetValue(quick);
            DemoOptions Options(string dir, int s) => quickRun
                ? QuickOptions(dir, s, computeType: computeType)
                : new DemoOptions { OutputDirectory = dir, Seed = s, ComputeType = computeType };

            if (parseResult.GetValue(baseOnly))
            {
                if (count > 1)
                    throw new CommandInputException("--base-only makes one base model; leave --seeds at 1.");
                DemoBase made = ProgressDisplay.Run(stdout, "demo", progress => DemoRecipe.PretrainBase(Options(folder, first), new StageProgress(progress)));
                stdout.WriteLine($"Base model: {made.Directory} ({made.Parameters:N0} parameters; plain-question accuracy {made.PlainAccuracy:P1}).");
                stdout.WriteLine($"Task and data: {Path.Combine(folder, DemoFiles.TaskFileName)}, {Path.Combine(folder, DemoFiles.DataFolderName)}, {Path.Combine(folder, DemoFiles.PromptsFolderName)}");
                return CommandExit.Success;
            }

            if (count == 1)
            {
                RunOne(Options(folder, first), folder, threadCount, stdout);
                return CommandExit.Success;
            }
            var runs = new List<(int Seed, DemoResult Result)>(count);
            for (int s = first; s < first + count; s++)
            {
                stdout.WriteLine($"== seed {s} ==");
                string seedFolder = Path.Combine(folder, SweepCommand.SeedFolderName(s));
                runs.Add((s, RunOne(Options(seedFolder, s), seedFolder, threadCount, stdout)));
            }
            var summary = new DemoSeedSummary(runs);
            stdout.WriteLine();
            stdout.WriteLine($"Mean accuracy on the unseen test templates, per seed and over {count} seeds (mean ± std across seeds):");
            summary.WriteTable(stdout);
            if (summary.Methods.Contains("paft") && summary.Methods.Contains("sft"))
                stdout.WriteLine($"PAFT above SFT on {summary.SeedsAbove("paft", "sft")} of {count} seeds.");
            summary.Save(folder);
            stdout.WriteLine($"Per seed: {Path.Combine(folder, DemoSeedSummary.CsvFileName)}, {Path.Combine(folder, DemoSeedSummary.JsonFileName)}");
            return CommandExit.Success;
        }));
        return command;
    }

    /// <summary>One demo run into <paramref name="folder"/>: the table on the console, evaluations, logs, costs, task files and the report on disk.</summary>
    private static DemoResult RunOne(DemoOptions options, string folder, int threadCount, TextWriter stdout)
    {
        var clock = Stopwatch.StartNew();
        DemoResult result = ProgressDisplay.Run(stdout, "demo", progress => DemoRecipe.Run(options, new StageProgress(progress)));
        clock.Stop();

        EvalResult[] methods = Evaluations(result);
        string evalFolder = SaveEvaluations(methods, folder);
        // With the evaluations, the training logs beside the models and the costs, `paft report --in` rebuilds this report.
        foreach (DemoMethodResult method in result.Methods)
            if (method.ModelDirectory is string modelFolder && method.Losses.Count > 0)
                Log(method.Losses).Save(Path.Combine(modelFolder, TrainingLog.FileName));
        MethodTiming[] timings = Timings(result.Methods);
        MethodTimingFile.Save(timings, Path.Combine(folder, MethodTimingFile.FileName));
        stdout.WriteLine();
        stdout.WriteLine($"Accuracy on {result.TestTemplates.Count} unseen test templates and their {result.AdversarialTemplates.Count} adversarial variants, " +
                         $"× {options.TestExamples} examples (chance {1.0 / 4:P0}; Top-{TopXThreshold:P0} = share of templates at or above {TopXThreshold:P0}):");
        ComparisonTable.From(methods).Write(stdout, ProgressDisplay.IsInteractive(stdout));
        if (result.Methods.FirstOrDefault(m => m.OwnTemplateAccuracy is not null) is { } sft)
            stdout.WriteLine($"SFT on its own training template: {sft.OwnTemplateAccuracy:P1}. Base model on the plain question: {result.Base.PlainAccuracy:P1}.");

        ReportFiles files = ReportWriter.Write(new ReportContent(
            "PAFT demo: the embedded where-is task on a tiny LLaMA",
            methods,
            result.Methods.Where(m => m.Losses.Count > 0).Select(m => (m.Name, Log(m.Losses))).ToArray(),
            [],
            Setup(result, clock.Elapsed, threadCount)) { Timings = timings }, folder);
        stdout.WriteLine($"Evaluations: {evalFolder} (paft compare --in {evalFolder})");
        stdout.WriteLine($"Report: {files.Markdown}");
        stdout.WriteLine($"Models: {string.Join(", ", result.Methods.Select(m => m.ModelDirectory).OfType<string>())}");
        stdout.WriteLine($"Done in {clock.Elapsed.TotalMinutes:F1} min ({threadCount} thread(s)).");
        return result;
    }

    /// <summary>The smallest settings that still run every stage: for smoke tests, not for numbers.</summary>
    internal static DemoOptions QuickOptions(string folder, int seed, int templates = 12, string? baseModel = null,
        PaftComputeType computeType = PaftComputeType.Float32) => new()
    {
        ComputeType = computeType,
        OutputDirectory = folder,
        BaseModelDirectory = baseModel,
        Seed = seed,
        PretrainSteps = 4,
        PretrainDocuments = 64,
        TrainExamples = 32,
        ValidationExamples = 8,
        TestExamples = 8,
        Templates = templates,
        FineTuneBatchSize = 8,
    };

    /// <summary>The folder of the output where every method's evaluations are written, as <c>paft eval</c> files.</summary>
    public const string EvalFolderName = "eval";

    /// <summary>Every method's evaluation on the clean test templates, then every method's on the adversarial variants.</summary>
    internal static EvalResult[] Evaluations(DemoResult result) =>
    [
        .. result.Methods.Select(m => ToEvalResult(m, result.Options)),
        .. result.Methods.Select(m => ToEvalResult(m, result.Options, adversarial: true)),
    ];

    /// <summary>Writes the evaluations as <c>paft eval</c> files into <c>eval/</c> of <paramref name="folder"/> (METHOD.json,
    /// METHOD.adversarial.json), for <c>paft compare --in</c>; returns that folder.</summary>
    internal static string SaveEvaluations(IEnumerable<EvalResult> methods, string folder)
    {
        string evalFolder = Path.Combine(folder, EvalFolderName);
        foreach (EvalResult method in methods)
            EvalResultFile.SaveResult(method, Path.Combine(evalFolder, method.Method + (method.IsAdversarial ? EvalResultFile.AdversarialSuffix : "") + ".json"));
        return evalFolder;
    }

    /// <summary>One method's evaluation on the clean test templates, or on their adversarial variants, from the library's metrics.</summary>
    internal static EvalResult ToEvalResult(DemoMethodResult method, DemoOptions options, bool adversarial = false)
    {
        PromptRobustnessMetrics metrics = adversarial
            ? method.Adversarial ?? throw new InvalidOperationException($"{method.Name} was not evaluated on adversarial templates.")
            : method.Clean;
        var run = new Dictionary<string, string?>
        {
            ["model"] = method.ModelDirectory ?? "",
            ["trainingTemplates"] = method.TrainTemplateIds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [EvalResult.TestSetKey] = adversarial ? EvalResult.AdversarialTestSet : EvalResult.CleanTestSet,
        };
        return EvalResultFile.FromMetrics(method.Name, metrics, run);
    }

    /// <summary>Each method's training and generation-mode costs, for the report's Tables 6 and 2.</summary>
    internal static MethodTiming[] Timings(IEnumerable<DemoMethodResult> methods) =>
        methods.Select(m => new MethodTiming(m.Name, m.Timing.SelectionSeconds, m.Timing.TrainingSeconds,
            m.Timing.Generation is { } g ? new GenerationTiming(g.Prompts, g.Seconds, g.MeanGeneratedTokens, g.AnswerAccuracy) : null)).ToArray();

    internal static TrainingLog Log(IReadOnlyList<double> losses)
    {
        var log = new TrainingLog();
        for (int i = 0; i < losses.Count; i++)
            log.Add(new TrainingLogEntry(i + 1, 0, losses[i], 0, 0, null));
        return log;
    }

    private static (string, string)[] Setup(DemoResult r, TimeSpan elapsed, int threads) =>
    [
        ("model", $"tiny LLaMA pretrained here: {r.Base.Parameters:N0} parameters, {r.Options.Layers} layers, width {r.Options.HiddenSize}, word-level vocabulary of {r.Base.VocabularySize}"),
        ("pretraining", $"{r.Options.PretrainSteps} steps, {r.Base.PretrainTokens:N0} tokens, final loss {(r.Base.PretrainLosses.Count == 0 ? "(base model reused)" : r.Base.PretrainLosses.TakeLast(10).Average().ToString("F3", System.Globalization.CultureInfo.InvariantCulture))}"),
        ("task", $"{r.TaskName}: {r.Options.TrainExamples} training, {r.Options.TestExamples} test examples, 4 options"),
        ("pools", $"offline grammar, {r.TrainTemplates.Count} training templates, {r.TestTemplates.Count} unseen test templates (disjoint)"),
        ("fine-tuning", $"through mlContext.Paft(): answer target {r.Options.AnswerTarget}, scoring {r.Options.Scoring}, {r.Options.ComputeType}, LoRA r {r.Options.LoraRank} alpha {r.Options.LoraAlpha} on {string.Join(",", r.Options.LoraTargets)}, lr {r.Options.FineTuneLearningRate}, {r.Options.FineTuneEpochs} epoch(s), PAFT redraws every {r.Options.RedrawEverySteps} steps"),
        ("adversarial test set", $"{r.AdversarialTemplates.Count} seeded adversarial variants of the test templates (typos, layout and label-style changes, distractor sentences, instruction after the content)"),
        .. r.Methods.Where(m => m.Selection is not null).Select(m => (m.Name + "'s template", $"`{m.TrainTemplateIds[0]}`: {m.Selection}")),
        ("base on the plain question", $"{r.Base.PlainAccuracy:P1} (the skill without the multiple-choice format)"),
        ("seed", r.Options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("time", $"{elapsed.TotalMinutes:F1} min on {threads} thread(s): " + string.Join(", ", r.Timings.Select(t => $"{t.Key} {t.Value:F0}s"))),
    ];

    /// <summary>Shows the recipe's stage and step on one progress line.</summary>
    internal sealed class StageProgress(IProgress<ProgressUpdate> display) : IProgress<DemoProgress>
    {
        public void Report(DemoProgress value) =>
            display.Report(new ProgressUpdate(value.Step, value.TotalSteps, $"{value.Stage}: {value.Message}"));
    }
}
