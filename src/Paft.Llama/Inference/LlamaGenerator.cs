using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.Llama.Inference;

/// <summary>
/// Generates text continuations with a KV cache: the prompt is run once, then one token per step.
/// Several prompts of different lengths run as one left-padded batch.
/// </summary>
public sealed class LlamaGenerator
{
    private readonly LlamaForCausalLM _model;

    /// <summary>Creates a generator for <paramref name="model"/>.</summary>
    public LlamaGenerator(LlamaForCausalLM model)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
    }

    /// <summary>
    /// Generates up to <see cref="GenerationOptions.MaxNewTokens"/> ids after <paramref name="promptIds"/>
    /// (which should start with BOS if the model expects one). Stops early after a stop id, which is
    /// not included. Returns only the new ids.
    /// </summary>
    public IReadOnlyList<int> Generate(IReadOnlyList<int> promptIds, GenerationOptions options) =>
        Generate([promptIds], options)[0];

    /// <summary>
    /// Generates for several prompts at once (left-padded, positions as Hugging Face computes them),
    /// giving each the ids it would get alone, up to floating-point rounding.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (prompts.Count == 0) return [];
        for (int i = 0; i < prompts.Count; i++)
            if (prompts[i] is null || prompts[i].Count == 0)
                throw new ArgumentException($"prompt {i} is empty; it needs at least one token (e.g. BOS)", nameof(prompts));

        var outputs = prompts.Select(_ => new List<int>()).ToArray();
        var finished = new bool[prompts.Count];
        var stop = options.StopTokenIds.ToHashSet();
        if (options.MaxNewTokens == 0) return outputs;

        using var noGrad = no_grad();
        using var cache = new KvCache();
        using var sampler = new TokenSampler(options, _model.Device);
        var (ids, mask) = TokenBatch.Pad(prompts, left: true, _model.Config, _model.Device, "prompt");
        Tensor? next = null;
        try
        {
            using (ids)
            using (mask)
                next = Step(ids, mask, cache, sampler);
            for (int step = 0; ; step++)
            {
                long[] chosen = next.data<long>().ToArray();
                for (int r = 0; r < chosen.Length; r++)
                {
                    if (finished[r]) continue;
                    if (stop.Contains((int)chosen[r])) finished[r] = true;
                    else outputs[r].Add((int)chosen[r]);
                }
                if (step + 1 >= options.MaxNewTokens || finished.All(f => f))
                    break;
                // Finished rows keep decoding (their tokens are ignored) so the batch stays rectangular.
                using var input = next.unsqueeze(1);
                var following = Step(input, null, cache, sampler);
                next.Dispose();
                next = following;
            }
        }
        finally
        {
            next?.Dispose();
        }
        return outputs;
    }

    /// <summary>Runs new tokens through the model and picks the next token of each row.</summary>
    private Tensor Step(Tensor ids, Tensor? mask, KvCache cache, TokenSampler sampler)
    {
        using var scope = NewDisposeScope();
        var hidden = _model.ForwardHidden(ids, mask, cache);
        // Only the last position predicts the next token: skip lm_head everywhere else.
        var last = hidden.narrow(1, hidden.shape[1] - 1, 1).squeeze(1);
        var logits = _model.Logits(last);
        return sampler.Next(logits).MoveToOuterDisposeScope();
    }
}
