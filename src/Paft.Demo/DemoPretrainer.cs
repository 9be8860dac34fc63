using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.Llama.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Demo;

/// <summary>
/// Full-parameter causal-LM pretraining of the demo's base model (nanoGPT style): the body of each
/// document is learned given its lead (see <see cref="DemoDocument"/>), AdamW with weight decay on matrices only,
/// linear warmup then cosine decay, gradient clipping at norm 1. Batches are consecutive slices of a seeded
/// per-epoch shuffle. Pretraining a model from scratch is the demo's own business, not the library's: this
/// uses TorchSharp and Paft.Llama's public model directly.
/// </summary>
internal static class DemoPretrainer
{
    /// <summary>Label of positions that are read but not learned (PyTorch's default <c>ignore_index</c>).</summary>
    private const long Ignored = -100;

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
        int perEpoch = documents.Count / batchSize;
        if (perEpoch == 0)
            throw new ArgumentException($"{documents.Count} documents are fewer than one batch of {batchSize}.", nameof(documents));

        var parameters = model.parameters().ToList();
        var groups = new List<AdamW.ParamGroup>
        {
            new(parameters.Where(p => p.dim() >= 2), learningRate, 0.9, 0.95, 1e-8, 0.1),
            new(parameters.Where(p => p.dim() < 2), learningRate, 0.9, 0.95, 1e-8, 0.0),
        };
        using AdamW optimizer = optim.AdamW(groups, learningRate, 0.9, 0.95, 1e-8, 0.1);
        var schedule = new WarmupCosineSchedule(learningRate, WarmupCosineSchedule.WarmupStepsFromRatio(0.05, steps), steps);

        var losses = new List<double>(steps);
        model.train();
        try
        {
            int[] order = [];
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int epoch = step / perEpoch, slot = step % perEpoch;
                if (slot == 0)
                    order = Shuffle(documents.Count, seed, epoch);
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = schedule.LearningRateAt(step);

                using var scope = NewDisposeScope();
                (Tensor ids, Tensor mask, Tensor labels, int tokens) = Collate(documents, order.AsSpan(slot * batchSize, batchSize));
                optimizer.zero_grad();
                Tensor logits = model.forward(ids, mask);
                long vocab = logits.shape[2];
                // The logits at t predict the token at t + 1; lead and padding positions are not learned.
                Tensor loss = nn.functional.cross_entropy(logits[.., ..^1, ..].reshape(-1, vocab), labels[.., 1..].reshape(-1), ignore_index: Ignored);
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, 1.0);
                optimizer.step();
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new InvalidOperationException($"Demo pretraining diverged at step {step + 1}: the loss is {value}.");
                losses.Add(value);
                onStep?.Invoke(step + 1, value, tokens);
            }
        }
        finally
        {
            model.eval();
        }
        return losses;
    }

    /// <summary>A seeded permutation of the documents for one epoch (Fisher–Yates).</summary>
    private static int[] Shuffle(int count, int seed, int epoch)
    {
        var random = new Random(unchecked(seed * 31 + epoch));
        int[] order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>Right-padded ids, attention mask and labels (the body's tokens; the lead and padding ignored) of a batch.</summary>
    private static (Tensor Ids, Tensor Mask, Tensor Labels, int Tokens) Collate(IReadOnlyList<TrainingExample> documents, ReadOnlySpan<int> batch)
    {
        int longest = 0;
        foreach (int d in batch)
            longest = Math.Max(longest, documents[d].PromptIds.Count + documents[d].CompletionIds.Count);
        var ids = new long[batch.Length * longest];
        var mask = new long[ids.Length];
        var labels = new long[ids.Length];
        Array.Fill(ids, WordLevelTokenizer.PadId);
        Array.Fill(labels, Ignored);
        int tokens = 0;
        for (int b = 0; b < batch.Length; b++)
        {
            TrainingExample doc = documents[batch[b]];
            int at = b * longest;
            foreach (int id in doc.PromptIds)
            {
                ids[at] = id;
                mask[at++] = 1;
            }
            foreach (int id in doc.CompletionIds)
            {
                ids[at] = id;
                labels[at] = id;
                mask[at++] = 1;
            }
            tokens += doc.PromptIds.Count + doc.CompletionIds.Count;
        }
        long[] shape = [batch.Length, longest];
        return (tensor(ids, shape), tensor(mask, shape), tensor(labels, shape), tokens);
    }
}
