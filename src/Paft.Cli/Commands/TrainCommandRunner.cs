using System.Globalization;
using System.Text;
using Microsoft.ML;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.Llama;
using Paft.Llama.Lora;
using Paft.Llama.Training;
using Paft.MLNet;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>The work of <c>paft train</c>, apart from parsing the command line (so tests can cancel it through a token).</summary>
internal static class TrainCommandRunner
{
    /// <summary>The effective settings, written beside the model: a <c>--config</c> file that repeats the run.</summary>
    public const string ConfigFileName = "train_config.json";

    /// <param name="settings">Validated settings with defaults filled (<see cref="TrainCommandConfig.WithDefaults"/>).</param>
    /// <param name="output">Progress and results.</param>
    /// <param name="error">Warnings and the interruption message.</param>
    /// <param name="cancellationToken">Ctrl+C: the run stops between steps, keeps a checkpoint and returns <see cref="CommandExit.Interrupted"/>.</param>
    /// <param name="observe">Sees every progress report (tests use it to cancel at a given step).</param>
    /// <param name="force">Replace another run's model in the output folder and discard another run's checkpoints (<c>--force</c>).</param>
    public static int Run(TrainCommandConfig settings, TextWriter output, TextWriter error, CancellationToken cancellationToken,
        Action<PaftProgress>? observe = null, bool force = false)
    {
        TaskDefinition task = TrainCommandInputs.Task(settings.Task, settings.TaskDef);
        PromptPool pool = TrainCommandInputs.Pool(settings.Prompts!, task, settings.EscapedNewlines == true);
        IReadOnlyList<TaskExample> rows = TrainCommandInputs.Rows(task, settings.Data!, settings.Limit, "--data");
        string outFolder = Path.GetFullPath(settings.Out!);
        string checkpoints = Path.GetFullPath(settings.CheckpointDir!);
        if (!Directory.Exists(settings.Model!))
            throw new CommandInputException($"--model: '{settings.Model}' is not a folder.");
        using TrainOutputLock outputLock = TrainOutputLock.Acquire(outFolder, error);
        bool resume = TrainRunFolders.Claim(TrainRunRecord.Of(settings), outFolder, checkpoints, settings.Resume == true, force, output, error);

        var mlContext = new MLContext(settings.Seed);
        PaftTrainerOptions options = TrainerOptions(settings, task, pool, checkpoints);

        // An impossible target/mode pair is refused by the trainer; a questionable one is said here, where the user reads it.
        if (AnswerTargetScoring.Problem(options.AnswerTarget, options.Scoring) is { IsError: false } questionable)
            error.WriteLine($"warning: --mode {settings.Mode}: {questionable.Message}");
        // The log lives in the checkpoint folder while training, written after every step, so an interrupted or killed
        // run's curve survives into the resumed one.
        string runningLog = Path.Combine(checkpoints, TrainingLog.FileName);
        var log = new TrainingLog();
        int lastStep = 0, totalSteps = 0;
        PaftTransformer model;
        string method;
        TrainChosenTemplate? chosenTemplate;

        // Fits the chosen method's estimator (a selection trainer chooses its template in Fit) with the progress display.
        PaftTransformer Train(string headline, int templateCount, Func<PaftTrainerOptions, IEstimator<PaftTransformer>> trainer)
        {
            output.WriteLine($"{headline}: {rows.Count} rows of '{task.Name}', {templateCount} training template(s), " +
                $"{options.Epochs} epoch(s), LoRA r {options.Lora.Rank} on {string.Join(",", options.Lora.TargetModules)}, seed {options.Seed}.");
            if (options.Resume)
            {
                string? latest = null;
                if (resume)
                    (log, latest) = TrainRunFolders.ResumePoint(checkpoints, output, error);
                output.WriteLine(latest is null ? $"No checkpoint in '{checkpoints}' yet: starting from the beginning." : $"Resuming from '{latest}'.");
            }
            return ProgressDisplay.Run(output, "train step", display =>
            {
                var report = new ReportTo(p =>
                {
                    // The engine reports each step, then the epoch again under its last step: one log row and one line a step.
                    if (log.Record(p))
                    {
                        string validation = p.ValidationAccuracy is { } v ? FormattableString.Invariant($"  validation {100 * v:F1}%") : "";
                        display.Report(new ProgressUpdate(p.Step, p.TotalSteps, FormattableString.Invariant(
                            $"epoch {p.Epoch + 1}/{options.Epochs}  loss {p.Loss:F4}  lr {p.LearningRate:0.0e+00}  {p.TokensPerSecond:F0} tok/s{validation}")));
                    }
                    else if (p.ValidationAccuracy is { } accuracy)
                    {
                        output.WriteLine(FormattableString.Invariant($"validation accuracy after step {p.Step}: {100 * accuracy:F1}%"));
                    }
                    log.Flush(runningLog);
                    lastStep = p.Step;
                    totalSteps = p.TotalSteps;
                    observe?.Invoke(p);
                });
                return trainer(WithProgress(options, report)) switch
                {
                    PaftTrainer paft => paft.Fit(TrainCommandInputs.ToDataView(rows, task), cancellationToken),
                    TemplateSelectionTrainer selecting => selecting.Fit(TrainCommandInputs.ToDataView(rows, task), cancellationToken),
                    var other => other.Fit(TrainCommandInputs.ToDataView(rows, task)),
                };
            });
        }

        try
        {
            model = TrainChosenMethod(mlContext.Paft().Trainers, options, settings, pool, task, output, error, Train, out method, out chosenTemplate,
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            SaveLog(log, runningLog);
            error.WriteLine($"Interrupted after step {lastStep}{(totalSteps > 0 ? $"/{totalSteps}" : "")}; checkpoint kept in '{checkpoints}'.");
            error.WriteLine("To continue, run the same command again with --resume.");
            return CommandExit.Interrupted;
        }
        catch (PromptTooLongException e)
        {
            // Bad input (a prompt the budget cannot hold), not a crash: one line, as for other bad input.
            SaveLog(log, runningLog);
            error.WriteLine($"error: {TrainCommandInputs.Describe(e, rows)} (paft train --max-length)");
            return CommandExit.BadInput;
        }
        catch (TrainingDivergedException e)
        {
            SaveLog(log, runningLog);
            error.WriteLine($"error: training diverged: {e.Message}");
            error.WriteLine("Try a lower --lr or --max-length; the loss curve so far is in " + $"'{runningLog}'.");
            return CommandExit.Failed;
        }
        catch
        {
            try
            {
                SaveLog(log, runningLog);
            }
            catch (IOException)
            {
                // A full disk fails this write too: the rows already flushed stay, and the first failure is the one to report.
            }
            throw;
        }

        model.Save(outFolder);
        log.Save(Path.Combine(outFolder, TrainingLog.FileName));
        byte[] config = new UTF8Encoding(false).GetBytes((settings with { ChosenTemplate = chosenTemplate }).ToJson() + "\n");
        AtomicFile.Write(Path.Combine(outFolder, ConfigFileName), stream => stream.Write(config));
        SaveLog(log, runningLog);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Saved the model ({method}; {model.TrainingInfo?.Steps} steps, final loss {model.TrainingInfo?.FinalLoss:F4}) to '{outFolder}'."));
        output.WriteLine($"Evaluate it with: paft eval --model {outFolder} {TrainCommandInputs.TaskFlag(task, settings.TaskDef)} --data FILE --prompts TEST_POOL --out FILE.json");
        return CommandExit.Success;
    }

    /// <summary>
    /// The trainer options a run with <paramref name="settings"/> (defaults filled) trains with; <c>paft export</c>
    /// writes the training stream of the same options, so the two cannot drift apart.
    /// </summary>
    public static PaftTrainerOptions TrainerOptions(TrainCommandConfig settings, TaskDefinition task, PromptPool pool, string? checkpoints) =>
        new()
        {
            ModelPath = settings.Model ?? "",
            Task = task,
            TrainingTemplates = pool.Templates.ToArray(),
            Lora = new LoraConfig { Rank = settings.LoraR!.Value, Alpha = settings.LoraAlpha!.Value, TargetModules = settings.LoraTargets! },
            RedrawEverySteps = settings.K!.Value,
            Epochs = settings.Epochs!.Value,
            LearningRate = settings.Lr!.Value,
            BatchSize = settings.BatchSize!.Value,
            GradientAccumulationSteps = settings.GradAccum!.Value,
            MaxLength = settings.MaxLength!.Value,
            Seed = settings.Seed!.Value,
            CheckpointDirectory = checkpoints,
            CheckpointEvery = settings.CheckpointEvery!.Value,
            Resume = settings.Resume == true,
            ComputeType = settings.Dtype == "bf16" ? PaftComputeType.BFloat16 : PaftComputeType.Float32,
            GradientCheckpointing = settings.GradientCheckpointing == true,
            Scoring = TrainCommandInputs.Mode(settings.Mode!, "--mode"),
            AnswerTarget = TrainCommandInputs.AnswerTarget(settings.AnswerTarget!, "--answer-target"),
        };

    /// <summary>
    /// Trains PAFT on the pool; SFT on the named template; or SFT on a template the base model chooses in the trainer's
    /// <c>Fit</c>: the most accurate (TopAccuracy), the best a budgeted search finds (ZOPO), or the one that drops least
    /// under input noise (BATprompt).
    /// </summary>
    private static PaftTransformer TrainChosenMethod(PaftTrainersCatalog trainers, PaftTrainerOptions options, TrainCommandConfig settings,
        PromptPool pool, TaskDefinition task, TextWriter output, TextWriter error, TrainMethod train, out string method,
        out TrainChosenTemplate? chosenTemplate, CancellationToken cancellationToken)
    {
        chosenTemplate = null;
        if (settings.TemplateId is { } id)
        {
            if (!pool.TryGet(id, out PromptPoolEntry? entry))
                throw new CommandInputException($"--template-id: no template '{id}' in '{settings.Prompts}'.");
            method = $"SFT on template '{id}'";
            return train(method, 1, o => trainers.SupervisedFineTuning(o, entry.Template));
        }
        if (settings.TopAccuracy == true)
        {
            IReadOnlyList<TaskExample> validation = TrainCommandInputs.Rows(task, settings.Validation!, null, "--validation");
            output.WriteLine($"TopAccuracy: scoring the base model on {validation.Count} validation rows with {pool.Count} templates...");
            PaftTransformer model = train("TopAccuracy SFT", 1, o => trainers.TopAccuracyFineTuning(
                new TemplateSelectionTrainerOptions { Trainer = o, SelectionData = TrainCommandInputs.ToDataView(validation, task) }));
            TemplateSelection quality = model.TrainingInfo!.Selection!;
            method = string.Create(CultureInfo.InvariantCulture, $"TopAccuracy SFT on template '{quality.TemplateId}' (base accuracy {100 * quality.Accuracy:F1}%)");
            chosenTemplate = FromPool(model);
            return model;
        }
        if (settings.Zopo == true)
            return TrainCommandZopo.Train(trainers, options, settings, pool, task, output, train, out method, out chosenTemplate, error, cancellationToken);
        if (settings.Batprompt == true)
            return TrainCommandBatprompt.Train(trainers, options, settings, pool, task, output, error, train, out method, out chosenTemplate, cancellationToken);
        method = "PAFT";
        return train(method, options.TrainingTemplates.Count, trainers.PromptAgnosticFineTuning);
    }

    /// <summary>The record of a pool template a selector chose: the fitted model's one training template.</summary>
    private static TrainChosenTemplate FromPool(PaftTransformer model) =>
        new(model.InferenceTemplate.Id, model.InferenceTemplate.Text, TrainChosenTemplate.FromPool);

    private static PaftTrainerOptions WithProgress(PaftTrainerOptions options, IProgress<PaftProgress>? progress)
    {
        options.Progress = progress;
        return options;
    }

    private static void SaveLog(TrainingLog log, string path)
    {
        if (log.Entries.Count > 0)
            log.Save(path);
    }

    /// <summary>Calls back on the training thread (<see cref="Progress{T}"/> would post to the thread pool and reorder lines).</summary>
    private sealed class ReportTo(Action<PaftProgress> report) : IProgress<PaftProgress>
    {
        public void Report(PaftProgress value) => report(value);
    }
}
