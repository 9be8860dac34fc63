using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.Llama.Training;
using Paft.MLNet.Augmentation;
using Paft.MLNet.Model;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;
using TorchSharp;

namespace Paft.MLNet;

/// <summary>
/// Prompt-Agnostic Fine-Tuning: LoRA fine-tuning of a LLaMA model on task rows whose prompt template is
/// drawn from a pool, held for K optimizer steps (<see cref="PaftTrainerOptions.RedrawEverySteps"/>: every row of
/// those steps' micro-batches, across gradient accumulation) and then redrawn, anew every epoch, so the model
/// learns the task rather than one wording. Each epoch visits the rows in a seeded shuffle and the templates are
/// drawn by position in that order (through <see cref="PromptAugmentationTransformer"/>), so a group of K steps is
/// never split. With a single template it is plain supervised
/// fine-tuning (SFT), the paper's baseline. The loss is on the answer label only.
/// </summary>
/// <remarks>
/// The input needs one text column per field of the task and a <c>Label</c> column (a key of the option
/// count, as the task readers produce, or a 0-based <see cref="int"/>). Fitting trains; the returned
/// <see cref="PaftTransformer"/> only predicts.
/// </remarks>
public sealed class PaftTrainer : IEstimator<PaftTransformer>
{
    private readonly MLContext _mlContext;
    private readonly PaftTrainerOptions _options;
    private readonly IHost _host;

    /// <summary>Creates the trainer; invalid options throw here, naming the setting or template.</summary>
    public PaftTrainer(MLContext mlContext, PaftTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _mlContext = mlContext;
        _options = options.Clone();
        _host = ((IHostEnvironment)mlContext).Register(nameof(PaftTrainer));
        AnswerTargetScoring.CheckAndWarn(mlContext, options.AnswerTarget, options.Scoring, "PaftTrainerOptions");
    }

    /// <summary>The options this trainer was made with.</summary>
    public PaftTrainerOptions Options => _options.Clone();

    /// <inheritdoc />
    public PaftTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains on <paramref name="input"/>; cancelling keeps the checkpoints written so far.</summary>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    /// <exception cref="TrainingDivergedException">A loss or gradient became NaN or infinite; the message names the step.</exception>
    public PaftTransformer Fit(IDataView input, CancellationToken cancellationToken) => Fit(input, cancellationToken, selection: null);

    /// <summary>Trains; <paramref name="selection"/> (what a selection trainer chose) goes on the model's training info.</summary>
    internal PaftTransformer Fit(IDataView input, CancellationToken cancellationToken, TemplateSelection? selection)
    {
        ArgumentNullException.ThrowIfNull(input);
        PaftTrainerOptions o = _options;
        TrainingInputSchema.Check(input.Schema, o);
        IReadOnlyList<TaskExample> examples = o.ReadRows(input);
        if (examples.Count == 0)
            throw new ArgumentException("The training data has no rows.", nameof(input));
        if (examples.FirstOrDefault(e => e.Label < 0) is { } unlabelled)
            throw new ArgumentException($"Training row {unlabelled.Source} has no label.", nameof(input));

        using IChannel channel = _host.Start("Fit");
        channel.Info(MessageSensitivity.None,
            $"PAFT: {examples.Count} rows of '{o.Task.Name}', {o.TrainingTemplates.Count} training template(s), " +
            $"{o.Epochs} epoch(s), K = {o.RedrawEverySteps}, LoRA r {o.Lora.Rank} on {string.Join(",", o.Lora.TargetModules)}.");

        LoadedCheckpoint baseModel = LoadedCheckpoint.Load(o.ModelPath, o.TokenizerPath, o.ComputeType);
        LoraAdapterSet lora = LoraAdapterSet.Apply(baseModel.CausalLM, o.Lora, o.Seed);
        var scorer = new MultipleChoiceScorer(baseModel.CausalLM, baseModel.Tokenizer, o.PredictionBatchSize, o.MaxNewTokens);
        var fitter = new PromptFitter(baseModel.Tokenizer, o.Task, o.MaxLength);
        var stream = PaftTrainingStream.For(o, examples);
        var epochCache = new Dictionary<int, IReadOnlyList<TrainingExample>>();
        IReadOnlyList<TrainingExample> ExamplesForEpoch(int epoch)
        {
            if (!epochCache.TryGetValue(epoch, out IReadOnlyList<TrainingExample>? cached))
            {
                epochCache.Clear(); // one epoch at a time: memory stays proportional to the data, not to epochs
                cached = epochCache[epoch] = EncodeEpoch(stream.Epoch(epoch), o.Task, scorer, fitter, o.AnswerTarget);
            }
            return cached;
        }

        TrainingOptions training = o.EngineOptions(baseModel.PadTokenId,
            o.Resume && o.CheckpointDirectory is not null ? LoraTrainer.FindLatestCheckpoint(o.CheckpointDirectory) : null);
        if (training.ResumeFrom is not null)
            channel.Info(MessageSensitivity.None, $"Resuming from checkpoint '{training.ResumeFrom}'.");

        var validation = o.ValidationData is null ? null : new ValidationRun(o, scorer, fitter);
        var progress = new Progress(o, channel, validation);
        var trainer = new LoraTrainer(lora, baseModel.CausalLM, training);
        TrainingResult result = trainer.Train(ExamplesForEpoch, progress, cancellationToken);
        baseModel.CausalLM.eval();
        channel.Info(MessageSensitivity.None,
            $"Trained {result.Steps} steps; final loss {result.FinalLoss:F4}; {fitter.TruncatedRows} row(s) had their context cut to fit {o.MaxLength} tokens.");

        return new PaftTransformer(_mlContext, new PaftPredictor(baseModel, lora, o.Task, o.InferenceTemplate ?? o.TrainingTemplates[0],
            o.Scoring, o.PredictionBatchSize, o.MaxNewTokens, o.MaxLength, new PaftTrainingInfo(o, result.Steps, result.FinalLoss) { Selection = selection }, o.Columns));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A field or label column is missing or has another type; the message names it and the type it needs.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => TrainingInputSchema.OutputSchema(_mlContext, inputSchema, _options, requireLabel: true);

    /// <summary>Tokenizes one epoch of the training stream (prompt and answer), keeping its visiting order.</summary>
    private static IReadOnlyList<TrainingExample> EncodeEpoch(IReadOnlyList<PaftStreamRow> epoch, TaskDefinition task,
        MultipleChoiceScorer scorer, PromptFitter fitter, AnswerTarget target)
    {
        int eos = scorer.Tokenizer.EosIds.Count > 0 ? scorer.Tokenizer.EosIds[0] : -1;
        var encoded = new TrainingExample[epoch.Count];
        foreach (PaftStreamRow row in epoch)
        {
            TaskExample example = row.Row;
            string answer = PaftTrainingStream.Answer(task, example, target);
            int reserve = TemplateScoring.AnswerReserve(task,
                target == AnswerTarget.Letter ? ScoringMode.AnswerLetter : ScoringMode.OptionText, example, scorer);
            // The stream rendered the prompt; the fitter only renders again when the context must be cut.
            string rendered = fitter.Fit(row.Prompt, row.Template, example, reserve);
            (IReadOnlyList<int> context, IReadOnlyList<int> continuation) = scorer.EncodePair(rendered, answer);
            // The answer ends with EOS so that a generating model stops after it (short answers).
            int[] completion = eos >= 0 ? [.. continuation, eos] : [.. continuation];
            encoded[row.Position] = new TrainingExample(context, completion) { TemplateId = row.Template.Id };
        }
        return encoded;
    }

    /// <summary>Forwards the engine's reports to the user's progress, ML.NET's log and the validation runs.</summary>
    private sealed class Progress(PaftTrainerOptions options, IChannel channel, ValidationRun? validation) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            double? accuracy = null;
            bool due = validation is not null && (options.EvaluateEvery > 0
                ? p.Kind == TrainingProgressKind.Step && p.Step % options.EvaluateEvery == 0
                : p.Kind == TrainingProgressKind.Epoch);
            if (due)
                accuracy = validation!.MeanAccuracy();

            if (p.Kind == TrainingProgressKind.Epoch || accuracy is not null)
                channel.Info(MessageSensitivity.None,
                    $"epoch {p.Epoch + 1}/{options.Epochs} step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} lr {p.LearningRate:G3} " +
                    $"{p.TokensPerSecond:F0} tok/s" + (accuracy is null ? "" : $" validation accuracy {accuracy:P1}"));
            options.Progress?.Report(new PaftProgress(p.Epoch, p.Step, p.TotalSteps, p.Loss, p.LearningRate, p.TokensPerSecond, accuracy)
            {
                TemplateIds = p.TemplateIds,
            });
        }
    }

    /// <summary>Mean accuracy over the validation templates, computed with the model being trained.</summary>
    private sealed class ValidationRun(PaftTrainerOptions options, MultipleChoiceScorer scorer, PromptFitter fitter)
    {
        private readonly IReadOnlyList<TaskExample> _examples = options.ReadRows(options.ValidationData!);
        private readonly IReadOnlyList<PromptTemplate> _templates =
            options.ValidationTemplates ?? [options.InferenceTemplate ?? options.TrainingTemplates[0]];

        public double MeanAccuracy()
        {
            bool wasTraining = scorer.Model.training;
            try
            {
                return _templates
                    .Select(t => TemplateScoring.Predict(scorer, options.Task, t, _examples, options.Scoring, fitter))
                    .Average(p => p.Predictions.Count(x => x.IsCorrect) / (double)Math.Max(1, p.Predictions.Count));
            }
            finally
            {
                scorer.Model.train(wasTraining);
            }
        }
    }
}
