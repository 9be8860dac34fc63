using Paft.Llama.Modeling;
using Paft.Llama.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.MLNet.Demo;

/// <summary>
/// Full-parameter causal-LM pretraining of the demo's base model (nanoGPT style): the body of each
/// document is learned given its lead (see <see cref="DemoDocument"/>), AdamW with weight decay on matrices only, linear warmup then cosine decay,
/// gradient clipping at norm 1. Batches are consecutive slices of a seeded per-epoch shuffle.
/// </summary>
internal static class DemoPretrainer
{
    /// <summary>Trains <paramref name="model"/> in place; returns the loss of every step.</summary>
    /// <param name="model">The freshly initialised model.</param>
    /// <param name="documents">Each document as a lead (prompt, BOS first) and a body (learned, EOS last).</param>
    /// <param name="steps">Optimizer steps.</param>
    /// <param name="batchSize">Documents per step.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="seed">Seed of the document order.</param>
    /// <param name="onStep">Called after every step with (1-based step, loss, tokens in the step).</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    public static IReadOnlyList<double> Train(LlamaForCausalLM model, IReadOnlyList<TrainingExample> documents, int steps, int batchSize,
        double learningRate, int seed, Action<int, double, int>? onStep, CancellationToken cancellationToken)
    {
        IReadOnlyList<TrainingExample> examples = documents;
        int maxLength = examples.Max(e => e.PromptIds.Count + e.CompletionIds.Count);

        var parameters = model.parameters().ToList();
        var groups = new List<AdamW.ParamGroup>
        {
            new(parameters.Where(p => p.dim() >= 2), learningRate, 0.9, 0.95, 1e-8, 0.1),
            new(parameters.Where(p => p.dim() < 2), learningRate, 0.9, 0.95, 1e-8, 0.0),
        };
        using AdamW optimizer = optim.AdamW(groups, learningRate, 0.9, 0.95, 1e-8, 0.1);
        var schedule = new WarmupCosineSchedule(learningRate, WarmupCosineSchedule.WarmupStepsFromRatio(0.05, steps), steps);

        var losses = new List<double>(steps);
        int perEpoch = examples.Count / batchSize;
        if (perEpoch == 0)
            throw new ArgumentException($"{examples.Count} documents are fewer than one batch of {batchSize}.", nameof(documents));
        model.train();
        try
        {
            int[] order = [];
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int epoch = step / perEpoch, slot = step % perEpoch;
                if (slot == 0)
                    order = EpochShuffle.Order(examples.Count, seed, epoch);
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = schedule.LearningRateAt(step);

                using var scope = NewDisposeScope();
                using CausalLMBatch batch = CausalLMBatch.Collate(examples, order.AsSpan(slot * batchSize, batchSize), maxLength, WordLevelPadId);
                optimizer.zero_grad();
                Tensor logits = model.forward(batch.InputIds, batch.AttentionMask);
                Tensor loss = CompletionLoss.Mean(logits, batch.Labels);
                loss.backward();
                LoraTrainer.ClipGradients(parameters, 1.0);
                optimizer.step();
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new TrainingDivergedException($"the pretraining loss is {value}", step + 1, epoch, slot, null);
                losses.Add(value);
                onStep?.Invoke(step + 1, value, batch.RealTokens);
            }
        }
        finally
        {
            model.eval();
        }
        return losses;
    }

    private const int WordLevelPadId = Paft.Llama.Tokenization.WordLevelTokenizer.PadId;
}
