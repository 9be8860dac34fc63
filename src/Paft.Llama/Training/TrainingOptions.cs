namespace Paft.Llama.Training;

/// <summary>
/// Settings of a LoRA fine-tuning run (<see cref="LoraTrainer"/>). Defaults follow the PAFT paper's
/// recipe where it gives one (lr 1e-4, 10% warmup, cosine decay, 3 epochs).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>The default of <see cref="Epochs"/>: 3, the paper's.</summary>
    public const int DefaultEpochs = 3;

    /// <summary>The default of <see cref="BatchSize"/>: 8.</summary>
    public const int DefaultBatchSize = 8;

    /// <summary>The default of <see cref="LearningRate"/>: 1e-4, the paper's.</summary>
    public const double DefaultLearningRate = 1e-4;

    /// <summary>Passes over the data. Default 3.</summary>
    public int Epochs { get; init; } = DefaultEpochs;

    /// <summary>Examples per forward/backward pass (micro-batch). Default 8.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>
    /// Micro-batches whose gradients are summed before one optimizer step; the effective batch is
    /// <see cref="BatchSize"/> × this. The loss of a step is the mean over all completion tokens of all
    /// its micro-batches, so accumulation gives the same gradient as one large batch. Default 1.
    /// </summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Peak learning rate. Default 1e-4.</summary>
    public double LearningRate { get; init; } = DefaultLearningRate;

    /// <summary>Share of the total steps spent in linear warmup (rounded up). Default 0.1.</summary>
    public double WarmupRatio { get; init; } = 0.1;

    /// <summary>AdamW's decoupled weight decay, applied to adapter weight matrices only (not to 1-d tensors). Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>AdamW β1. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β2. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>AdamW ε. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Clip the global L2 norm of all adapter gradients to this; 0 or less turns clipping off. Default 1.</summary>
    public double MaxGradientNorm { get; init; } = 1.0;

    /// <summary>Longest sequence (prompt + completion) in tokens; longer prompts lose tokens from the left. Default 1024.</summary>
    public int MaxLength { get; init; } = 1024;

    /// <summary>Id written at (right) padding positions; it is masked and never learned. Default 0.</summary>
    public int PadTokenId { get; init; }

    /// <summary>Seed of the per-epoch shuffle and of the LoRA dropout generator. Default 42.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>
    /// Whether the trainer shuffles each epoch's examples (seeded by <see cref="Seed"/> and the epoch). False:
    /// it visits them in the order the epoch function returns them — for a caller that arranges the order
    /// itself, as PAFT does to hold one template for K whole optimizer steps. Default true.
    /// </summary>
    public bool ShuffleEachEpoch { get; init; } = true;

    /// <summary>Folder for checkpoints (<c>checkpoint-00000012/</c> ...), or null for none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Write a checkpoint every this many optimizer steps (and always at the end); 0: only at the end.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>How many of the newest checkpoints to keep; older ones are deleted. Default 2.</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>Written as <c>base_model_name_or_path</c> into the PEFT adapter of each checkpoint; may be null.</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>
    /// Recompute each decoder layer in the backward pass instead of keeping its activations (gradient
    /// checkpointing): activation memory falls to one [batch, length, hidden] tensor per layer, for about
    /// one more forward pass per step. The gradients are the same. Needs the trainer made with a
    /// <see cref="Modeling.LlamaForCausalLM"/>. Default false.
    /// </summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>A checkpoint folder to resume from, or null to start fresh.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Throws, naming the setting, when a value is out of range.</summary>
    public void Validate()
    {
        if (Epochs <= 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Need at least one epoch.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch size must be positive.");
        if (GradientAccumulationSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), GradientAccumulationSteps, "Must be positive.");
        if (!(LearningRate >= 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be finite and non-negative.");
        if (!(WarmupRatio >= 0 && WarmupRatio <= 1)) throw new ArgumentOutOfRangeException(nameof(WarmupRatio), WarmupRatio, "Must be in [0, 1].");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Must be non-negative.");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Must be in [0, 1).");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Must be in [0, 1).");
        if (!(Epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Must be non-negative.");
        if (double.IsNaN(MaxGradientNorm)) throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), MaxGradientNorm, "Must be a number.");
        if (MaxLength < 2) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "Must be at least 2.");
        if (CheckpointEvery < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), CheckpointEvery, "Must be non-negative.");
        if (KeepCheckpoints <= 0) throw new ArgumentOutOfRangeException(nameof(KeepCheckpoints), KeepCheckpoints, "Keep at least one checkpoint.");
    }
}
