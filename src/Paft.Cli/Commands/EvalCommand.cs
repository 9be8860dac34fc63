using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.MLNet;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft eval --model DIR [--adapter DIR] --task TASK --data FILE --prompts FILE [--limit N] [--mode MODE] --out FILE.json</c>:
/// accuracy under every template of the pool, and its spread, written as JSON and printed as a table.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A saved PAFT model folder (paft_model.json), or a base model folder (Hugging Face layout).", Required = true };
        var adapter = new Option<string>("--adapter") { Description = "A PEFT LoRA adapter folder to apply to a base --model." };
        var task = new Option<string>("--task") { Description = "The task: hellaswag, piqa, winogrande or race.", Required = true };
        var data = new Option<string>("--data") { Description = "The evaluation rows, in the task's standard format.", Required = true };
        var prompts = new Option<string>("--prompts") { Description = "The test template pool (.jsonl, .csv or .xlsx).", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Evaluate on the first N rows only." };
        var mode = new Option<string>("--mode") { Description = "loglik, loglik-option, loglik-norm or generate (default: the saved model's mode, else loglik)." };
        var escaped = new Option<bool>("--escaped-newlines") { Description = @"Templates spell newlines as the two characters \n (the PAFT authors' files)." };
        var topX = new Option<double?>("--top-x") { Description = "Top-X% threshold as a fraction (default: the paper's for the task: 0.9 HellaSwag, 0.8 WinoGrande, 0.85 PIQA and RACE; 0.8 for other tasks)." };
        var output = new Option<string>("--out") { Description = "The metrics JSON file to write.", Required = true };
        var command = new Command("eval", "Evaluate a model under every template of a pool: per-template accuracy, mean, std, min, max, Top-X%.")
        {
            model, adapter, task, data, prompts, limit, mode, escaped, topX, output,
        };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            var request = new EvalRequest(parseResult.GetValue(model)!, parseResult.GetValue(adapter), parseResult.GetValue(task)!,
                parseResult.GetValue(data)!, parseResult.GetValue(prompts)!, parseResult.GetValue(limit), parseResult.GetValue(mode),
                parseResult.GetValue(escaped), parseResult.GetValue(topX), parseResult.GetValue(output)!);
            using CancelKeyScope cancel = CancelKeyScope.Start(CancellationToken.None, stderr);
            return Run(request, stdout, stderr, cancel.Token);
        }));
        return command;
    }

    /// <summary>The evaluation, apart from parsing the command line.</summary>
    public static int Run(EvalRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // The cheap checks first, so that a typo fails before the data and the model are read.
        TaskDefinition task = TrainCommandInputs.Task(request.Task);
        ScoringMode? mode = request.Mode is null ? null : TrainCommandInputs.Mode(request.Mode, "--mode");
        if (request.TopX is < 0 or > 1)
            throw new CommandInputException($"--top-x must be a fraction in [0, 1] (got {request.TopX}).");
        PromptPool pool = TrainCommandInputs.Pool(request.Prompts, task, request.EscapedNewlines);
        IReadOnlyList<TaskExample> rows = TrainCommandInputs.Rows(task, request.Data, request.Limit, "--data");

        var mlContext = new MLContext(0);
        PaftTransformer model = EvalCommandModel.Load(mlContext, request.Model, request.Adapter, task, pool.First().Template, mode);
        output.WriteLine($"Evaluating {EvalCommandModel.Describe(model, request.Adapter)} on {rows.Count} rows of '{task.Name}' " +
            $"under {pool.Count} template(s), mode {TrainCommandInputs.ModeName(model.Scoring)}.");

        PromptRobustnessMetrics metrics;
        try
        {
            metrics = ProgressDisplay.Run(output, "template", display =>
                mlContext.Paft().Evaluate(model, TrainCommandInputs.ToDataView(rows, task), pool.Templates,
                    new PromptRobustnessOptions { TopXThreshold = request.TopX }, // null: the evaluator's default for the task
                    new ReportTo(p => display.Report(new ProgressUpdate(p.Done, p.Total, ""))), cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"Interrupted; nothing was written to '{request.Out}'.");
            return CommandExit.Interrupted;
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
            ["mode"] = TrainCommandInputs.ModeName(model.Scoring),
        };
        EvalResultFile.Save(metrics, run, request.Out);
        EvalResultFile.WriteTable(EvalResultFile.Read(request.Out), output);
        output.WriteLine($"Wrote '{Path.GetFullPath(request.Out)}'.");
        return CommandExit.Success;
    }

    /// <summary>Calls back on the evaluating thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class ReportTo(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}

/// <summary>What <c>paft eval</c> was asked to do.</summary>
internal sealed record EvalRequest(string Model, string? Adapter, string Task, string Data, string Prompts, int? Limit, string? Mode,
    bool EscapedNewlines, double? TopX, string Out);
