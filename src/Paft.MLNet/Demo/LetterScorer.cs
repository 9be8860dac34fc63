using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.MLNet.Demo;

/// <summary>
/// Multiple-choice answers by letter log-likelihood (lm-evaluation-harness style): after the rendered
/// prompt, the model's log-probability of each answer letter's token is compared and the largest wins.
/// One forward pass per prompt, batched with left padding so every prompt ends at the last position.
/// </summary>
internal static class LetterScorer
{
    /// <summary>The chosen option index of each prompt.</summary>
    /// <param name="model">The model, in evaluation mode.</param>
    /// <param name="prompts">Prompt token ids (BOS included).</param>
    /// <param name="letterIds">The token id of each option's letter, in option order.</param>
    /// <param name="padId">The id written at padding positions (masked out).</param>
    /// <param name="batchSize">Prompts per forward pass.</param>
    public static int[] Predict(LlamaForCausalLM model, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<int> letterIds, int padId, int batchSize) =>
        Predict(model, prompts, _ => letterIds, padId, batchSize);

    /// <summary>The chosen candidate of each prompt, when each prompt has its own candidate next tokens.</summary>
    /// <param name="model">The model, in evaluation mode.</param>
    /// <param name="prompts">Prompt token ids (BOS included).</param>
    /// <param name="candidatesOf">The candidate token ids of prompt i, in option order (the same count for every prompt).</param>
    /// <param name="padId">The id written at padding positions (masked out).</param>
    /// <param name="batchSize">Prompts per forward pass.</param>
    public static int[] Predict(LlamaForCausalLM model, IReadOnlyList<IReadOnlyList<int>> prompts, Func<int, IReadOnlyList<int>> candidatesOf,
        int padId, int batchSize)
    {
        var predictions = new int[prompts.Count];
        using var noGrad = no_grad();
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batchSize, prompts.Count - start);
            int longest = 0;
            for (int b = 0; b < count; b++)
                longest = Math.Max(longest, prompts[start + b].Count);
            var ids = new long[count * longest];
            var candidates = new long[count][];
            var mask = new long[count * longest];
            Array.Fill(ids, padId);
            for (int b = 0; b < count; b++)
            {
                IReadOnlyList<int> prompt = prompts[start + b];
                candidates[b] = candidatesOf(start + b).Select(id => (long)id).ToArray();
                int offset = b * longest + longest - prompt.Count;
                for (int t = 0; t < prompt.Count; t++)
                {
                    ids[offset + t] = prompt[t];
                    mask[offset + t] = 1;
                }
            }
            Tensor logits = model.forward(tensor(ids, new long[] { count, longest }), tensor(mask, new long[] { count, longest }));
            // Log-softmax over the whole vocabulary, then the letters only: the letters compete on the
            // probability the model gives them as the next token, the standard log-likelihood score.
            Tensor last = logits[.., -1, ..].log_softmax(-1).gather(1, tensor(candidates.SelectMany(c => c).ToArray(), new long[] { count, candidates[0].Length }));
            long[] best = last.argmax(1).data<long>().ToArray();
            for (int b = 0; b < count; b++)
                predictions[start + b] = (int)best[b];
        }
        return predictions;
    }
}
