using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.MLNet;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Perturbation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft eval --model DIR [--adapter DIR] (--task TASK | --task-def FILE) --data FILE --prompts FILE [--limit N] [--mode MODE] [--max-length N]
/// [--adversarial [--adversarial-seed N] [--adversarial-variants N]] [--shard i/N] --out FILE.json</c> (or
/// <c>paft eval --merge SHARD.json... --out FILE.json</c>): accuracy under every template of
/// the pool (or of its seeded adversarial variants), and its spread, written as JSON and printed as a table.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A saved PAFT model folder (paft_model.json) or .zip file, or a base model folder (Hugging Face layout)." };
        var adapter = new Option<string>("--adapter") { Description = "A PEFT LoRA adapter folder to apply to a base --model." };
        var task = new Option<string>("--task") { Description = "The task: hellaswag, piqa, winogrande or race (or give --task-def)." };
        var taskDef = new Option<string>("--task-def") { Description = "A task definition file (JSON: name, fields, optionFields, answerLabels) instead of --task; the rows are then generic jsonl." };
        var maxLength = new Option<int?>("--max-length")
        {
            Description = "Maximum tokens of prompt and answer; longer contexts are cut as in training (default: the saved model's, else 1024). " +
                          "A prompt that does not fit even without its context is an error naming the row and the template.",
        };
        var data = new Option<string>("--data") { Description = "The evaluation rows, in the task's standard format." };
        var prompts = new Option<string>("--prompts") { Description = "The test template pool (.jsonl, .csv or .xlsx)." };
        var limit = new Option<int?>("--limit") { Description = "Evaluate on the first N rows only." };
        var mode = new Option<string>("--mode") { Description = "loglik, loglik-option, loglik-norm or generate (default: the saved model's mode, else loglik)." };
        var escaped = new Option<bool>("--escaped-newlines") { Description = @"Templates spell newlines as the two characters \n (the PAFT authors' files)." };
        var topX = new Option<double?>("--top-x") { Description = "Top-X% threshold as a fraction (default: the paper's for the task: 0.9 HellaSwag, 0.8 WinoGrande, 0.85 PIQA and RACE; 0.8 for other tasks)." };
        var adversarial = new Option<bool>("--adversarial")
        {
            Description = "Evaluate on seeded adversarial variants of the --prompts templates (typos, layout and label-style changes, distractor sentences, " +
                          "instruction moved after the content) instead of the templates themselves; the run records testSet: adversarial.",
        };
        var adversarialSeed = new Option<int?>("--adversarial-seed") { Description = $"Seed of the adversarial variants (default {AdversarialDefaults.Seed}); needs --adversarial." };
        var adversarialVariants = new Option<int?>("--adversarial-variants") { Description = $"Adversarial variants of each template (default {AdversarialDefaults.VariantsPerTemplate}); needs --adversarial." };
        var output = new Option<string>("--out") { Description = "The metrics JSON file to write.", Required = true };
        var dtype = new Option<string>("--dtype") { Description = "Compute dtype: fp32 or bf16 (default: the saved model's, else fp32)." };
        dtype.AcceptOnlyFromAmong("fp32", "bf16");
        var shard = new Option<string>("--shard") { Description = "i/N: evaluate shard i (from 0) of N, a disjoint block of the test templates; merge the N files with --merge." };
        var merge = new Option<string[]>("--merge") { Description = "Shard files of one evaluation (all N of them): merge them into --out, the file one unsharded run writes.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("eval", "Evaluate a model under every template of a pool: per-template accuracy, mean, std, min, max, Top-X%.")
        {
            model, adapter, task, taskDef, data, prompts, limit, mode, maxLength, escaped, topX, adversarial, adversarialSeed, adversarialVariants, output, shard, merge, dtype,
        };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            if (parseResult.GetValue(merge) is { Length: > 0 } shardFiles)
                return Merge(shardFiles, parseResult.GetValue(output)!, stdout);
            foreach (Option<string> needed in new[] { model, data, prompts })
                if (parseResult.GetValue(needed) is null)
                    throw new CommandInputException($"{needed.Name} is required (unless --merge is given).");
            var request = new EvalRequest(parseResult.GetValue(model)!, parseResult.GetValue(adapter), parseResult.GetValue(task),
                parseResult.GetValue(data)!, parseResult.GetValue(prompts)!, parseResult.GetValue(limit), parseResult.GetValue(mode),
                parseResult.GetValue(escaped), parseResult.GetValue(topX), parseResult.GetValue(output)!,
                parseResult.GetValue(adversarial), parseResult.GetValue(adversarialSeed), parseResult.GetValue(adversarialVariants),
                parseResult.GetValue(shard) is { } shardText ? EvalShard.Parse(shardText) : null)
            {
                TaskDef = parseResult.GetValue(taskDef),
                MaxLength = parseResult.GetValue(maxLength),
                Dtype = parseResult.GetValue(dtype),
            };
            using CancelKeyScope cancel = CancelKeyScope.Start(CancellationToken.None, stderr);
            return Run(request, stdout, stderr, cancel.Token);
        }));
        return command;
    }

    /// <summary>The evaluation, apart from parsing the command line.</summary>
    public static int Run(EvalRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // The cheap checks first, so that a typo fails before the data and the model are read.
        TaskDefinition task = TrainCommandInputs.Task(request.Task, request.TaskDef);
        if (request.MaxLength is < 1)
            throw new CommandInputException($"--max-length must be at least 1 (got {request.MaxLength}).");
        ScoringMode? mode = request.Mode is null ? null : TrainCommandInputs.Mode(request.Mode, "--mode");
        if (request.TopX is < 0 or > 1)
            throw new CommandInputException($"--top-x must be a fraction in [0, 1] (got {request.TopX}).");
        AdversarialTemplateOptions? adversarial = AdversarialOptions(request);
        PromptPool pool = TrainCommandInputs.Pool(request.Prompts, task, request.EscapedNewlines);
        PromptPool testPool = adversarial is null ? pool : AdversarialPool(pool, task, adversarial, request.Prompts);
        PromptTemplate[] testTemplates = testPool.Templates.ToArray();
        if (request.Shard is { } shard)
        {
            if (shard.Count > testTemplates.Length)
                throw new CommandInputException($"--shard: {shard.Count} shards for {testTemplates.Length} test template(s); use at most {testTemplates.Length}.");
            testTemplates = testTemplates[shard.Start(testTemplates.Length)..shard.End(testTemplates.Length)];
            output.WriteLine($"Shard {shard}: test templates {shard.Start(testPool.Count) + 1}-{shard.End(testPool.Count)} of {testPool.Count}.");
        }
        IReadOnlyList<TaskExample> rows = TrainCommandInputs.Rows(task, request.Data, request.Limit, "--data");
        if (adversarial is not null)
            output.WriteLine($"Adversarial test set: {testPool.Count} adversarial template(s) from the {pool.Count} of '{request.Prompts}' " +
                $"({adversarial.VariantsPerTemplate} variant(s) each, seed {adversarial.Seed}).");
        // `paft compare --in` refuses a file whose name and test set disagree; say so now rather than after the comparison fails.
        if (EvalResultFile.NamedAdversarial(request.Out) != (adversarial is not null))
            error.WriteLine(adversarial is not null
                ? $"warning: --out '{request.Out}' does not end in {EvalResultFile.AdversarialSuffix}.json; `paft compare --in` expects adversarial evaluations to."
                : $"warning: --out '{request.Out}' ends in {EvalResultFile.AdversarialSuffix}.json but this is a clean evaluation (no --adversarial); `paft compare --in` will refuse it.");

        var mlContext = new MLContext(0);
        PaftTransformer model = EvalCommandModel.Load(mlContext, request.Model, request.Adapter, task, pool.First().Template, mode, request.MaxLength, error,
            request.Dtype switch { null => null, "bf16" => PaftComputeType.BFloat16, _ => PaftComputeType.Float32 });
        output.WriteLine($"Evaluating {EvalCommandModel.Describe(model, request.Adapter)} on {rows.Count} rows of '{task.Name}' " +
            $"under {testPool.Count} {(adversarial is null ? "" : "adversarial ")}template(s), mode {TrainCommandInputs.ModeName(model.Scoring)}.");

        PromptRobustnessMetrics metrics;
        try
        {
            metrics = ProgressDisplay.Run(output, "template", display =>
                mlContext.Paft().Evaluate(model, TrainCommandInputs.ToDataView(rows, task), testTemplates,
                    new PromptRobustnessOptions { TopXThreshold = request.TopX }, // null: the evaluator's default for the task
                    new ReportTo(p => display.Report(new ProgressUpdate(p.Done, p.Total, ""))), cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"Interrupted; nothing was written to '{request.Out}'.");
            return CommandExit.Interrupted;
        }
        catch (PromptTooLongException e)
        {
            // Bad input (a prompt the budget cannot hold), not a crash: one line, as for other bad input.
            error.WriteLine($"error: {TrainCommandInputs.Describe(e, rows)} (paft eval --max-length)");
            return CommandExit.BadInput;
        }

        var run = new Dictionary<string, string?>
        {
            ["model"] = Path.GetFullPath(request.Model),
            ["baseModel"] = model.BaseModelPath,
            ["adapter"] = request.Adapter is null ? null : Path.GetFullPath(request.Adapter),
            ["trainingTemplates"] = model.TrainingInfo?.TrainingTemplateIds.Count.ToString(CultureInfo.InvariantCulture),
            ["seed"] = model.TrainingInfo?.Seed.ToString(CultureInfo.InvariantCulture),
            ["data"] = Path.GetFullPath(request.Data),
            ["limit"] = request.Limit?.ToString(CultureInfo.InvariantCulture),
            ["prompts"] = Path.GetFullPath(request.Prompts),
            [EvalResult.ModeKey] = TrainCommandInputs.ModeName(model.Scoring),
            [EvalResult.RowsHashKey] = EvalInputHashes.Rows(task, rows),
            [EvalResult.TemplatesHashKey] = EvalInputHashes.Templates(testPool.Templates),
            ["taskDefinition"] = request.TaskDef is null ? null : Path.GetFullPath(request.TaskDef),
            ["maxLength"] = model.MaxLength.ToString(CultureInfo.InvariantCulture),
            [EvalResult.TestSetKey] = adversarial is null ? EvalResult.CleanTestSet : EvalResult.AdversarialTestSet,
            ["adversarialSeed"] = adversarial?.Seed.ToString(CultureInfo.InvariantCulture),
            ["adversarialVariants"] = adversarial?.VariantsPerTemplate.ToString(CultureInfo.InvariantCulture),
        };
        if (request.Shard is { } written)
            EvalShardFile.Save(metrics, run, written, testPool.Count, request.Out);
        else
            EvalResultFile.Save(metrics, run, request.Out);
        EvalResultFile.WriteTable(EvalResultFile.Read(request.Out), output);
        output.WriteLine($"Wrote '{Path.GetFullPath(request.Out)}'.");
        return CommandExit.Success;
    }

    /// <summary><c>paft eval --merge</c>: the shard files' evaluation, as one unsharded run writes it.</summary>
    private static int Merge(IReadOnlyList<string> shardFiles, string outPath, TextWriter output)
    {
        EvalShardFile.Merge(shardFiles, outPath);
        EvalResultFile.WriteTable(EvalResultFile.Read(outPath), output);
        output.WriteLine($"Merged {shardFiles.Count} shard file(s) into '{Path.GetFullPath(outPath)}'.");
        return CommandExit.Success;
    }

    private static readonly AdversarialTemplateOptions AdversarialDefaults = new();

    /// <summary>The adversarial settings asked for, or null for the clean pool; the seed and count options need --adversarial.</summary>
    private static AdversarialTemplateOptions? AdversarialOptions(EvalRequest request)
    {
        if (!request.Adversarial)
        {
            // Silently evaluating the clean pool would leave the user believing the numbers are adversarial ones.
            if (request.AdversarialSeed is not null)
                throw new CommandInputException("--adversarial-seed applies only with --adversarial.");
            if (request.AdversarialVariants is not null)
                throw new CommandInputException("--adversarial-variants applies only with --adversarial.");
            return null;
        }
        if (request.AdversarialVariants is < 1)
            throw new CommandInputException($"--adversarial-variants must be at least 1 (got {request.AdversarialVariants}).");
        return new AdversarialTemplateOptions
        {
            Seed = request.AdversarialSeed ?? AdversarialDefaults.Seed,
            VariantsPerTemplate = request.AdversarialVariants ?? AdversarialDefaults.VariantsPerTemplate,
        };
    }

    /// <summary>The adversarial variants of the (validated, non-empty) pool; an error when no template can be varied.</summary>
    private static PromptPool AdversarialPool(PromptPool pool, TaskDefinition task, AdversarialTemplateOptions options, string path)
    {
        PromptPool variants = new AdversarialTemplateGenerator(options).Generate(pool, task);
        if (variants.Count == 0)
            throw new CommandInputException(
                $"--adversarial: no adversarial variant could be made from the templates of '{path}' (a template that is only its placeholders has no text to edit).");
        return variants;
    }

    /// <summary>Calls back on the evaluating thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class ReportTo(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}

/// <summary>What <c>paft eval</c> was asked to do.</summary>
internal sealed record EvalRequest(string Model, string? Adapter, string? Task, string Data, string Prompts, int? Limit, string? Mode,
    bool EscapedNewlines, double? TopX, string Out, bool Adversarial = false, int? AdversarialSeed = null, int? AdversarialVariants = null,
    EvalShard? Shard = null)
{
    /// <summary>A task definition file (<c>--task-def</c>), instead of the built-in <see cref="Task"/>.</summary>
    public string? TaskDef { get; init; }

    /// <summary>The prompt budget in tokens (<c>--max-length</c>); null: the saved model's, else the trainer's default.</summary>
    public int? MaxLength { get; init; }

    /// <summary>The compute dtype asked for (<c>--dtype</c>: fp32 or bf16); null: the saved model's, else fp32.</summary>
    public string? Dtype { get; init; }
}
