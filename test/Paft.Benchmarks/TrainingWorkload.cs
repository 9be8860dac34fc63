using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>How a training benchmark updates the model.</summary>
public enum TrainingMode
{
    /// <summary>LoRA r 8 (alpha 16) on q_proj and v_proj through <see cref="LoraTrainer"/>; the base is frozen.</summary>
    Lora,

    /// <summary>Every parameter trainable with AdamW: the same step as the trainer's, over all weights.</summary>
    Full,
}

/// <summary>
/// One optimizer step on a batch of 8 examples × 256 tokens (a 254-token prompt and a 2-token
/// completion, as PAFT's answer letter plus EOS), fp32, AdamW, gradient clipping at 1. Shared by the
/// tokens/s benchmark and the peak-memory probe so both measure the same work.
/// </summary>
internal sealed class TrainingWorkload : IDisposable
{
    public const int BatchSize = 8;
    public const int SequenceLength = 256;
    public const int TokensPerStep = BatchSize * SequenceLength;
    private const int CompletionLength = 2;

    private readonly TrainingExample[] _examples;
    private readonly LoraTrainer? _trainer;
    private readonly AdamW? _fullOptimizer;
    private readonly List<Parameter> _fullParameters = [];

    public TrainingWorkload(string modelName, TrainingMode mode)
    {
        Model = BenchmarkModels.Load(modelName);
        Mode = mode;
        int vocab = Model.Config.VocabSize;
        var random = new Random(7);
        _examples = Enumerable.Range(0, BatchSize).Select(_ => new TrainingExample(
            Enumerable.Range(0, SequenceLength - CompletionLength).Select(_ => random.Next(3, vocab)).ToArray(),
            Enumerable.Range(0, CompletionLength).Select(_ => random.Next(3, vocab)).ToArray())).ToArray();

        var options = new TrainingOptions { Epochs = 1, BatchSize = BatchSize, MaxLength = SequenceLength, LearningRate = 1e-4, WarmupRatio = 0 };
        if (mode == TrainingMode.Lora)
        {
            Lora = LoraAdapterSet.Apply(Model, new LoraConfig { Rank = 8, Alpha = 16, TargetModules = ["q_proj", "v_proj"] });
            _trainer = new LoraTrainer(Lora, (ids, mask) => Model.forward(ids, mask), options);
        }
        else
        {
            _fullParameters = Model.parameters().ToList();
            _fullOptimizer = optim.AdamW(_fullParameters, lr: 1e-4);
        }
    }

    public LlamaForCausalLM Model { get; }

    public TrainingMode Mode { get; }

    public LoraAdapterSet? Lora { get; }

    /// <summary>Trainable parameters: the adapters for LoRA, every weight for full fine-tuning.</summary>
    public long TrainableParameters => Mode == TrainingMode.Lora
        ? Lora!.NamedParameters().Sum(p => p.Parameter.NumberOfElements)
        : _fullParameters.Sum(p => p.NumberOfElements);

    /// <summary>One optimizer step over <see cref="TokensPerStep"/> tokens.</summary>
    public void Step()
    {
        if (_trainer is not null)
        {
            // One epoch of 8 examples at batch 8 is exactly one step (the trainer's own AdamW, clip and schedule).
            _trainer.Train(_examples);
            return;
        }

        Model.train();
        using var batch = CausalLMBatch.Collate(_examples, Enumerable.Range(0, BatchSize).ToArray(), SequenceLength, padTokenId: 0);
        using (var scope = NewDisposeScope())
        {
            _fullOptimizer!.zero_grad();
            Tensor logits = Model.forward(batch.InputIds, batch.AttentionMask);
            Tensor loss = CompletionLoss.Sum(logits, batch.Labels) / batch.LossTokens;
            loss.backward();
        }
        LoraTrainer.ClipGradients(_fullParameters, 1.0);
        _fullOptimizer!.step();
        Model.eval();
    }

    public void Dispose()
    {
        _fullOptimizer?.Dispose();
        Model.Dispose();
    }
}
