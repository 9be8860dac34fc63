using System.Diagnostics;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Training;

/// <summary>
/// Fine-tunes the LoRA adapters of a causal language model on (prompt, completion) examples: loss on
/// completion tokens only, AdamW, linear warmup then cosine decay, gradient accumulation and global-norm
/// clipping, seeded shuffling, atomic checkpoints with exact resume, and a stop with a named error on a
/// non-finite loss or gradient.
/// </summary>
/// <remarks>
/// <para>Batches are right-padded; the attention mask marks padding, and padding and prompt positions are
/// labelled "ignore", so they never enter the loss.</para>
/// <para>Precision: the base model runs in the dtype it was loaded in — load it in bf16 for bf16
/// compute. The adapters, their gradients, AdamW's state and the loss (log-softmax of the logits) are
/// fp32 in every case (see <see cref="LoraAdapter"/>), which is what autocast-style mixed precision
/// keeps in full precision for fine-tuning.</para>
/// <para>Determinism: the per-epoch order is a pure function of (seed, epoch), dropout draws from a
/// generator seeded from <see cref="TrainingOptions.Seed"/> whose state is checkpointed, and CPU
/// kernels are deterministic for a fixed thread count, so the same seed, data, and
/// <c>torch.get_num_threads()</c> give bit-identical adapters, resumed or not.</para>
/// </remarks>
public sealed class LoraTrainer
{
    private readonly LoraAdapterSet _lora;
    private readonly Func<CausalLMBatch, Tensor> _lossSum;
    private readonly LlamaForCausalLM? _model;
    private readonly TrainingOptions _options;

    /// <summary>Creates a trainer for the adapters in <paramref name="lora"/> of any causal LM, given its forward pass.</summary>
    /// <param name="lora">The adapters to train (created by <see cref="LoraAdapterSet.Apply"/>; the base is frozen).</param>
    /// <param name="forward">The model's forward pass (full logits; the loss picks the completion positions).</param>
    /// <param name="options">Run settings; <see cref="TrainingOptions.GradientCheckpointing"/> needs the LLaMA constructor.</param>
    public LoraTrainer(LoraAdapterSet lora, CausalLMForward forward, TrainingOptions options)
    {
        _lora = lora ?? throw new ArgumentNullException(nameof(lora));
        ArgumentNullException.ThrowIfNull(forward);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        if (options.GradientCheckpointing)
            throw new ArgumentException(
                "TrainingOptions.GradientCheckpointing needs the trainer made with the LlamaForCausalLM itself (new LoraTrainer(lora, model, options)), not a forward delegate.",
                nameof(options));
        _lossSum = batch => CompletionLoss.Sum(forward(batch.InputIds, batch.AttentionMask), batch.Labels);
    }

    /// <summary>
    /// Creates a trainer for the adapters in <paramref name="lora"/> of a LLaMA. <c>lm_head</c> and the
    /// loss run only at the positions that predict completion tokens (the answer), which gives the same
    /// loss and gradients as full logits at a fraction of the cost on a large vocabulary; and
    /// <see cref="TrainingOptions.GradientCheckpointing"/> is available.
    /// </summary>
    /// <param name="lora">The adapters to train (created by <see cref="LoraAdapterSet.Apply"/> on <paramref name="model"/>).</param>
    /// <param name="model">The model the adapters live in.</param>
    /// <param name="options">Run settings.</param>
    public LoraTrainer(LoraAdapterSet lora, LlamaForCausalLM model, TrainingOptions options)
    {
        _lora = lora ?? throw new ArgumentNullException(nameof(lora));
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        if (!ReferenceEquals(lora.Model, model))
            throw new ArgumentException("The LoRA adapters were applied to another model than the one given.", nameof(model));
        _lossSum = batch => CompletionLoss.SumAtCompletions(model, batch.InputIds, batch.AttentionMask, batch.Labels);
    }

    /// <summary>The newest complete checkpoint folder in <paramref name="directory"/>, or null.</summary>
    public static string? FindLatestCheckpoint(string directory) => TrainingCheckpoint.FindLatest(directory);

    /// <summary>Trains on the same examples every epoch.</summary>
    public TrainingResult Train(IReadOnlyList<TrainingExample> examples, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        return Train(_ => examples, progress, cancellationToken);
    }

    /// <summary>
    /// Trains, asking <paramref name="examplesForEpoch"/> for each epoch's examples (so a caller such as
    /// the PAFT augmentation can render a different prompt per epoch). Every epoch must have the same
    /// number of examples, and the function must be deterministic for exact resume. The trainer shuffles
    /// them, unless <see cref="TrainingOptions.ShuffleEachEpoch"/> is false: then step s of an epoch trains on
    /// its examples [s·B·G, (s+1)·B·G) in the order given (B the batch size, G the accumulation steps).
    /// </summary>
    /// <param name="examplesForEpoch">The examples of 0-based epoch e.</param>
    /// <param name="progress">Receives a report after every step and epoch, synchronously on this thread.</param>
    /// <param name="cancellationToken">Checked before every step; cancelling throws <see cref="OperationCanceledException"/>
    /// and keeps the checkpoints written so far. With a checkpoint directory, the steps done since the last
    /// checkpoint are written as one more checkpoint first, so resuming loses nothing.</param>
    /// <exception cref="TrainingDivergedException">A loss or gradient was NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The adapters are merged or removed, the epochs disagree in size, or
    /// the checkpoint to resume from belongs to another run.</exception>
    public TrainingResult Train(
        Func<int, IReadOnlyList<TrainingExample>> examplesForEpoch,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examplesForEpoch);
        if (_lora.IsMerged)
            throw new InvalidOperationException("The LoRA adapters are merged into the base weights; unmerge them before training.");
        if (_lora.Adapters.Count == 0)
            throw new InvalidOperationException("The LoRA adapter set is empty (removed); apply LoRA again before training.");
        TrainingOptions o = _options;

        TrainingState? resume = o.ResumeFrom is null ? null : TrainingCheckpoint.ReadState(o.ResumeFrom);
        int startStep = resume?.GlobalStep ?? 0;
        IReadOnlyList<TrainingExample> examples = EpochExamples(examplesForEpoch, 0, expectedCount: null);
        int count = examples.Count;
        int microBatches = (count + o.BatchSize - 1) / o.BatchSize;
        int stepsPerEpoch = (microBatches + o.GradientAccumulationSteps - 1) / o.GradientAccumulationSteps;
        int totalSteps = stepsPerEpoch * o.Epochs;
        if (resume is not null && (resume.ExamplesPerEpoch != count || resume.TotalSteps != totalSteps || resume.Seed != o.Seed))
            throw new InvalidOperationException(
                $"Checkpoint '{o.ResumeFrom}' was written by a different run ({resume.ExamplesPerEpoch} examples, {resume.TotalSteps} steps, seed {resume.Seed}); " +
                $"this run has {count} examples, {totalSteps} steps, seed {o.Seed}.");
        int startEpoch = startStep / stepsPerEpoch;

        var schedule = new WarmupCosineSchedule(o.LearningRate, WarmupCosineSchedule.WarmupStepsFromRatio(o.WarmupRatio, totalSteps), totalSteps);
        var trainable = _lora.NamedParameters().Select(p => p.Parameter).ToList();
        using AdamWOptimizer optimizer = CreateOptimizer();
        // Dropout masks are drawn on the adapters' device, so the generator lives there too.
        using var dropoutGenerator = new Generator((ulong)o.Seed, trainable[0].device);
        if (resume is not null)
        {
            TrainingCheckpoint.LoadAdapter(o.ResumeFrom!, _lora);
            TrainingCheckpoint.LoadOptimizer(o.ResumeFrom!, optimizer);
            using Tensor state = tensor(Convert.FromBase64String(resume.DropoutGeneratorState));
            dropoutGenerator.set_state(state);
        }

        _lora.SetDropoutGenerator(dropoutGenerator);
        _lora.Model.train();
        bool wasCheckpointing = _model?.GradientCheckpointing ?? false;
        if (_model is not null) _model.GradientCheckpointing = o.GradientCheckpointing;
        string? lastCheckpoint = o.ResumeFrom;
        double lastLoss = resume?.LastLoss ?? double.NaN;
        int step = startStep;
        int checkpointedStep = startStep;
        try
        {
            for (int epoch = startEpoch; epoch < o.Epochs; epoch++)
            {
                if (epoch != 0) examples = EpochExamples(examplesForEpoch, epoch, count);
                int[] order = o.ShuffleEachEpoch ? EpochShuffle.Order(count, o.Seed, epoch) : Enumerable.Range(0, count).ToArray();
                double epochLossSum = 0, epochLossTokens = 0, epochTokens = 0, learningRate = 0;
                var epochClock = Stopwatch.StartNew();

                for (int stepInEpoch = step - epoch * stepsPerEpoch; stepInEpoch < stepsPerEpoch; stepInEpoch++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        // Keep the steps done since the last checkpoint, so that a cancelled run (Ctrl+C) resumes where it stopped.
                        if (o.CheckpointDirectory is not null && step > checkpointedStep)
                            WriteCheckpoint(optimizer, dropoutGenerator, step, stepsPerEpoch, totalSteps, count, lastLoss);
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                    var clock = Stopwatch.StartNew();
                    learningRate = schedule.LearningRateAt(step);

                    (double loss, int lossTokens, int tokens, double gradNorm, IReadOnlyList<string> templateIds) =
                        RunStep(examples, order, epoch, stepInEpoch, step + 1, microBatches, optimizer, learningRate, trainable, lastCheckpoint);
                    double seconds = clock.Elapsed.TotalSeconds; // the step's compute, without checkpoint IO
                    step++;
                    lastLoss = loss;
                    epochLossSum += loss * lossTokens;
                    epochLossTokens += lossTokens;
                    epochTokens += tokens;

                    if (o.CheckpointDirectory is not null && ((o.CheckpointEvery > 0 && step % o.CheckpointEvery == 0) || step == totalSteps))
                    {
                        lastCheckpoint = WriteCheckpoint(optimizer, dropoutGenerator, step, stepsPerEpoch, totalSteps, count, loss);
                        checkpointedStep = step;
                    }
                    progress?.Report(new TrainingProgress(
                        TrainingProgressKind.Step, epoch, step, totalSteps, loss, learningRate, gradNorm, tokens / seconds) { TemplateIds = templateIds });
                }
                progress?.Report(new TrainingProgress(
                    TrainingProgressKind.Epoch, epoch, step, totalSteps, epochLossSum / epochLossTokens, learningRate, double.NaN,
                    epochTokens / epochClock.Elapsed.TotalSeconds));
            }
        }
        finally
        {
            if (_model is not null) _model.GradientCheckpointing = wasCheckpointing;
            _lora.Model.eval();
            _lora.SetDropoutGenerator(null);
        }
        return new TrainingResult(step, lastLoss, o.CheckpointDirectory is null ? null : lastCheckpoint);
    }

    private (double Loss, int LossTokens, int Tokens, double GradNorm, IReadOnlyList<string> TemplateIds) RunStep(
        IReadOnlyList<TrainingExample> examples, int[] order, int epoch, int stepInEpoch, int stepNumber, int microBatches,
        AdamWOptimizer optimizer, double learningRate, List<Parameter> trainable, string? lastCheckpoint)
    {
        TrainingOptions o = _options;
        int firstBatch = stepInEpoch * o.GradientAccumulationSteps;
        int endBatch = Math.Min(firstBatch + o.GradientAccumulationSteps, microBatches);

        var batches = new List<CausalLMBatch>();
        var templateIds = new List<string>(1);
        try
        {
            for (int b = firstBatch; b < endBatch; b++)
            {
                int start = b * o.BatchSize;
                int length = Math.Min(o.BatchSize, order.Length - start);
                // On the adapters' device, which is the model's: a CUDA model takes CUDA ids.
                batches.Add(CausalLMBatch.Collate(examples, order.AsSpan(start, length), o.MaxLength, o.PadTokenId,
                    _model?.Config.VocabSize ?? int.MaxValue, trainable[0].device));
                foreach (int index in order.AsSpan(start, length))
                    if (examples[index]?.TemplateId is { } id && !templateIds.Contains(id))
                        templateIds.Add(id);
            }
            // The step's loss is the mean over all of its completion tokens, so each micro-batch's summed
            // loss is divided by the step's total before backward: accumulation equals one big batch.
            int lossTokens = batches.Sum(b => b.LossTokens);
            if (lossTokens == 0)
                throw new ArgumentException(
                    $"Step {stepNumber} (epoch {epoch}) has no completion token to learn: every example's completion is a single token at position 0 (give it a prompt).");

            optimizer.ZeroGrad();
            using Scalar stepTokens = lossTokens.ToScalar(); // held to the end: see HeldScalars
            double lossSum = 0;
            for (int i = 0; i < batches.Count; i++)
            {
                using var scope = NewDisposeScope();
                CausalLMBatch batch = batches[i];
                Tensor loss = _lossSum(batch).div(stepTokens);
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new TrainingDivergedException($"the loss is {value}", stepNumber, epoch, firstBatch + i, lastCheckpoint);
                loss.backward();
                lossSum += value;
            }

            double gradNorm = ClipGradients(trainable, o.MaxGradientNorm);
            if (!double.IsFinite(gradNorm))
                throw new TrainingDivergedException($"the gradient norm is {gradNorm}", stepNumber, epoch, endBatch - 1, lastCheckpoint);
            optimizer.Step(learningRate);
            return (lossSum, lossTokens, batches.Sum(b => b.RealTokens), gradNorm, templateIds);
        }
        finally
        {
            foreach (CausalLMBatch b in batches) b.Dispose();
        }
    }

    /// <summary>
    /// Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/> (PyTorch's
    /// <c>clip_grad_norm_</c>: factor maxNorm / (norm + 1e-6), never above 1). Returns the norm before clipping.
    /// </summary>
    internal static double ClipGradients(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        double sumOfSquares = 0;
        foreach (Parameter p in parameters)
        {
            Tensor? grad = p.grad;
            if (grad is not null)
                sumOfSquares += grad.to(ScalarType.Float64).pow(HeldScalars.Two).sum().item<double>();
        }
        double norm = Math.Sqrt(sumOfSquares);
        if (maxNorm > 0 && double.IsFinite(norm))
        {
            double factor = maxNorm / (norm + 1e-6);
            if (factor < 1)
            {
                using Scalar factorScalar = factor.ToScalar(); // held to the end: see HeldScalars
                using (no_grad())
                    foreach (Parameter p in parameters)
                        p.grad?.mul_(factorScalar);
            }
        }
        return norm;
    }

    private AdamWOptimizer CreateOptimizer()
    {
        TrainingOptions o = _options;
        // Decay applies to weight matrices only; 1-d tensors (biases, norms) are exempt, as in HF Trainer.
        var parameters = _lora.NamedParameters().Select(p => (p.Name, p.Parameter, p.Parameter.dim() >= 2 ? o.WeightDecay : 0.0));
        return new AdamWOptimizer(parameters, o.Beta1, o.Beta2, o.Epsilon);
    }

    private string WriteCheckpoint(AdamWOptimizer optimizer, Generator dropoutGenerator, int step, int stepsPerEpoch, int totalSteps, int count, double loss)
    {
        using Tensor rngState = dropoutGenerator.get_state();
        var state = new TrainingState(
            FormatVersion: TrainingCheckpoint.FormatVersion,
            GlobalStep: step,
            Epoch: step / stepsPerEpoch,
            StepInEpoch: step % stepsPerEpoch,
            TotalSteps: totalSteps,
            ExamplesPerEpoch: count,
            Seed: _options.Seed,
            DropoutGeneratorState: Convert.ToBase64String(rngState.bytes),
            LastLoss: loss,
            TorchThreads: get_num_threads());
        return TrainingCheckpoint.Write(_options.CheckpointDirectory!, _lora, optimizer, state, _options.KeepCheckpoints, _options.BaseModelNameOrPath);
    }

    private static IReadOnlyList<TrainingExample> EpochExamples(Func<int, IReadOnlyList<TrainingExample>> examplesForEpoch, int epoch, int? expectedCount)
    {
        IReadOnlyList<TrainingExample> examples = examplesForEpoch(epoch)
            ?? throw new InvalidOperationException($"The examples function returned null for epoch {epoch}.");
        if (examples.Count == 0)
            throw new InvalidOperationException($"The examples function returned no examples for epoch {epoch}.");
        if (expectedCount is int n && examples.Count != n)
            throw new InvalidOperationException($"Epoch {epoch} has {examples.Count} examples but epoch 0 had {n}; every epoch must have the same number.");
        return examples;
    }
}
