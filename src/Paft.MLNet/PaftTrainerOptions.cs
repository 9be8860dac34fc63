using Paft.Llama.Lora;
using Paft.Llama.Training;
using Paft.MLNet.Model;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;
using Microsoft.ML;

namespace Paft.MLNet;

/// <summary>
/// Options of <see cref="PaftTrainer"/>. Defaults are the PAFT paper's published settings where it gives
/// them (LoRA r 8 on q_proj and v_proj, lr 1e-4, cosine schedule with 10% warmup, 3 epochs, a new
/// template every K = 4 optimizer steps, maximum length 1024).
/// </summary>
public sealed class PaftTrainerOptions
{
    /// <summary>Folder of the base model in Hugging Face layout (config.json, model.safetensors, tokenizer). Required.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>A tokenizer file, when it is not in <see cref="ModelPath"/> under a standard name.</summary>
    public string? TokenizerPath { get; set; }

    /// <summary>The task. Required.</summary>
    public TaskDefinition Task { get; set; } = null!;

    /// <summary>
    /// The training templates: the PAFT pool, or a single template for supervised fine-tuning (SFT).
    /// Every template must validate for <see cref="Task"/>. Required.
    /// </summary>
    public IReadOnlyList<PromptTemplate> TrainingTemplates { get; set; } = [];

    /// <summary>
    /// The template the fitted model renders rows with when the input has no <c>Prompt</c> column.
    /// Defaults to the first training template.
    /// </summary>
    public PromptTemplate? InferenceTemplate { get; set; }

    // The LoRA engine's settings (epochs, batch, optimizer, length, checkpoints) are one TrainingOptions: the properties
    // below read and write it, its defaults are theirs (but the seed: PAFT's default is 0), and Fit hands it to the engine.
    private TrainingOptions _training = new() { Seed = 0 };

    /// <summary>The LoRA adapter: rank 8, alpha 16, no dropout, on q_proj and v_proj by default.</summary>
    public LoraConfig Lora { get; set; } = new();

    /// <summary>
    /// K: optimizer steps one drawn template is held for before it is redrawn — every row of those steps'
    /// micro-batches, K × <see cref="BatchSize"/> × <see cref="GradientAccumulationSteps"/> rows. Groups restart
    /// each epoch, and each epoch draws anew. Default 4, the paper's.
    /// </summary>
    public int RedrawEverySteps { get; set; } = 4;

    /// <summary>Passes over the training rows; each draws the templates anew. Default 3.</summary>
    public int Epochs { get => _training.Epochs; set => _training = _training with { Epochs = value }; }

    /// <summary>Peak learning rate of AdamW. Default 1e-4.</summary>
    public double LearningRate { get => _training.LearningRate; set => _training = _training with { LearningRate = value }; }

    /// <summary>Share of the steps spent warming the learning rate up linearly before the cosine decay. Default 0.1.</summary>
    public double WarmupRatio { get => _training.WarmupRatio; set => _training = _training with { WarmupRatio = value }; }

    /// <summary>AdamW weight decay of the adapter matrices. Default 0.</summary>
    public double WeightDecay { get => _training.WeightDecay; set => _training = _training with { WeightDecay = value }; }

    /// <summary>Rows per micro-batch. Default 8.</summary>
    public int BatchSize { get => _training.BatchSize; set => _training = _training with { BatchSize = value }; }

    /// <summary>Micro-batches per optimizer step (effective batch = BatchSize × this). Default 1.</summary>
    public int GradientAccumulationSteps { get => _training.GradientAccumulationSteps; set => _training = _training with { GradientAccumulationSteps = value }; }

    /// <summary>Global gradient-norm clip. Default 1.0.</summary>
    public double MaxGradientNorm { get => _training.MaxGradientNorm; set => _training = _training with { MaxGradientNorm = value }; }

    /// <summary>
    /// Maximum tokens of prompt plus answer. Longer rows lose words from the end of their longest context
    /// field (never the options or the answer cue; see <c>PromptFitter</c>). Default 1024.
    /// </summary>
    public int MaxLength { get => _training.MaxLength; set => _training = _training with { MaxLength = value }; }

    /// <summary>Seed of the template draws, the data order and the adapter's initialisation. Default 0.</summary>
    public int Seed { get => checked((int)_training.Seed); set => _training = _training with { Seed = value }; }

    /// <summary>
    /// The compute type of the base model, in training, in the selection baselines' scoring and in the
    /// trained model's predictions. With <see cref="PaftComputeType.BFloat16"/> the LoRA weights, their
    /// gradients, the optimizer state and the loss stay fp32. Default <see cref="PaftComputeType.Float32"/>.
    /// </summary>
    public PaftComputeType ComputeType { get; set; } = PaftComputeType.Float32;

    /// <summary>
    /// Recompute each decoder layer in the backward pass instead of keeping its activations (gradient
    /// checkpointing): activation memory falls to one tensor per layer, for about one more forward pass
    /// per step; the gradients are the same. Default false.
    /// </summary>
    public bool GradientCheckpointing { get => _training.GradientCheckpointing; set => _training = _training with { GradientCheckpointing = value }; }

    /// <summary>Folder for training checkpoints; none are written when null.</summary>
    public string? CheckpointDirectory { get => _training.CheckpointDirectory; set => _training = _training with { CheckpointDirectory = value }; }

    /// <summary>Write a checkpoint every this many optimizer steps (and at the end); 0 = only at the end.</summary>
    public int CheckpointEvery { get => _training.CheckpointEvery; set => _training = _training with { CheckpointEvery = value }; }

    /// <summary>How many checkpoints to keep. Default 2.</summary>
    public int KeepCheckpoints { get => _training.KeepCheckpoints; set => _training = _training with { KeepCheckpoints = value }; }

    /// <summary>Resume from the latest checkpoint in <see cref="CheckpointDirectory"/> when there is one.</summary>
    public bool Resume { get; set; }

    /// <summary>Rows to evaluate on during training (with <see cref="ValidationTemplates"/>); none when null.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>Templates for validation; the inference template when null.</summary>
    public IReadOnlyList<PromptTemplate>? ValidationTemplates { get; set; }

    /// <summary>Evaluate on the validation data every this many optimizer steps; 0 = at the end of every epoch.</summary>
    public int EvaluateEvery { get; set; }

    /// <summary>What training teaches the model to say after the answer cue. Default <see cref="AnswerTarget.Letter"/>, the paper's.</summary>
    public AnswerTarget AnswerTarget { get; set; } = AnswerTarget.Letter;

    /// <summary>How the fitted model answers. Default <see cref="ScoringMode.AnswerLetter"/>.</summary>
    public ScoringMode Scoring { get; set; } = ScoringMode.AnswerLetter;

    /// <summary>Rows scored together when predicting. Default 16.</summary>
    public int PredictionBatchSize { get; set; } = 16;

    /// <summary>Generated tokens per answer in <see cref="ScoringMode.Generation"/>. Default 16.</summary>
    public int MaxNewTokens { get; set; } = 16;

    /// <summary>Receives training progress (every step and epoch, and validation results).</summary>
    public IProgress<PaftProgress>? Progress { get; set; }

    /// <summary>
    /// The label column training (and <c>Evaluate</c>) reads: a key of the task's option count, or a 0-based <see cref="int"/>.
    /// Default <c>Label</c>.
    /// </summary>
    public string LabelColumnName { get; set; } = PaftColumns.DefaultLabel;

    /// <summary>The column the fitted model writes the probabilities over the options to. Default <c>Score</c>.</summary>
    public string ScoreColumnName { get; set; } = PaftColumns.DefaultScore;

    /// <summary>The column the fitted model writes its answer to (a key whose values are the answer letters). Default <c>PredictedLabel</c>.</summary>
    public string PredictedLabelColumnName { get; set; } = PaftColumns.DefaultPredictedLabel;

    /// <summary>
    /// Input column of each task field, when it is not named like the field (e.g. <c>goal</c> ← <c>Goal</c>); the fitted
    /// model reads the same columns. Fields not listed are read from the column of the same name. Default none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? FieldColumns { get; set; }

    internal PaftColumns Columns => new(LabelColumnName, ScoreColumnName, PredictedLabelColumnName, FieldColumns);

    /// <summary>Reads task rows from <paramref name="data"/> through this trainer's column names.</summary>
    internal IReadOnlyList<TaskExample> ReadRows(IDataView data) =>
        TaskDataView.ToExamples(data, Task, LabelColumnName, Columns.ColumnOf);

    internal PaftTrainerOptions Clone() => (PaftTrainerOptions)MemberwiseClone(); // the training options are immutable: sharing them is safe

    /// <summary>
    /// The engine's settings for one run: these options' training settings, the model's padding id, the stream's own
    /// visiting order (PAFT arranges it so that a template's K steps are never split) and the checkpoint to resume from.
    /// </summary>
    internal TrainingOptions EngineOptions(int padTokenId, string? resumeFrom) =>
        _training with { PadTokenId = padTokenId, ShuffleEachEpoch = false, ResumeFrom = resumeFrom };

    /// <summary>Checks the options; errors name the setting or template at fault.</summary>
    /// <param name="requireModelFolder">Whether <see cref="ModelPath"/> must exist now (false for a trainer that looks at it only in <c>Fit</c>).</param>
    internal void Validate(bool requireModelFolder = true)
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
            throw new ArgumentException("PaftTrainerOptions.ModelPath is required: the folder of a Hugging Face LLaMA checkpoint.");
        if (requireModelFolder && !Directory.Exists(ModelPath))
            throw new DirectoryNotFoundException($"Base model folder '{ModelPath}' does not exist.");
        if (Task is null)
            throw new ArgumentException("PaftTrainerOptions.Task is required.");
        if (TrainingTemplates.Count == 0)
            throw new ArgumentException("PaftTrainerOptions.TrainingTemplates is empty: give the PAFT pool, or one template for SFT.");
        foreach (PromptTemplate template in TrainingTemplates.Append(InferenceTemplate).OfType<PromptTemplate>())
        {
            IReadOnlyList<TemplateProblem> problems = template.Validate(Task);
            if (problems.Count > 0)
                throw new ArgumentException($"Template '{template.Id}' is not valid for task '{Task.Name}': {string.Join("; ", problems)}");
        }
        Positive(RedrawEverySteps, nameof(RedrawEverySteps));
        Positive(Epochs, nameof(Epochs));
        Positive(BatchSize, nameof(BatchSize));
        Positive(GradientAccumulationSteps, nameof(GradientAccumulationSteps));
        Positive(MaxLength, nameof(MaxLength));
        Positive(PredictionBatchSize, nameof(PredictionBatchSize));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive.");
        if (WarmupRatio is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(WarmupRatio), WarmupRatio, "The warmup ratio must be in [0, 1].");
        if (Resume && CheckpointDirectory is null)
            throw new ArgumentException("Resume needs a CheckpointDirectory to resume from.");
        Lora.Validate();
        Columns.Validate(Task, nameof(PaftTrainerOptions));
        AnswerTargetScoring.Check(AnswerTarget, Scoring, "PaftTrainerOptions");
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
    }
}
