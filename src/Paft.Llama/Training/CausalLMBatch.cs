using static TorchSharp.torch;

namespace Paft.Llama.Training;

/// <summary>
/// A padded training batch: input ids, attention mask and labels, all [B, T] int64. Labels hold the
/// token id at completion positions and <see cref="IgnoreIndex"/> at prompt and padding positions;
/// they are not shifted (the loss shifts them, as Hugging Face models do).
/// </summary>
internal sealed class CausalLMBatch : IDisposable
{
    /// <summary>The label that takes no part in the loss (PyTorch's and Hugging Face's -100).</summary>
    public const long IgnoreIndex = -100;

    private CausalLMBatch(Tensor inputIds, Tensor attentionMask, Tensor labels, int realTokens, int lossTokens)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        Labels = labels;
        RealTokens = realTokens;
        LossTokens = lossTokens;
    }

    public Tensor InputIds { get; }
    public Tensor AttentionMask { get; }
    public Tensor Labels { get; }

    /// <summary>Non-padding tokens (for tokens/s).</summary>
    public int RealTokens { get; }

    /// <summary>Tokens the loss is taken on after the shift.</summary>
    public int LossTokens { get; }

    /// <summary>
    /// Builds a right-padded batch. Each sequence is prompt + completion; when it is longer than
    /// <paramref name="maxLength"/>, prompt tokens are dropped from the left (the start of the context
    /// goes first; the completion is never cut). A completion that alone exceeds the limit is an error.
    /// </summary>
    /// <param name="examples">All examples of the epoch.</param>
    /// <param name="indices">Which of them form this batch.</param>
    /// <param name="maxLength">Longest sequence allowed.</param>
    /// <param name="padTokenId">Id written at padding positions (masked out, never learned).</param>
    /// <param name="device">The model's device, where the batch's tensors are made; the CPU when null.</param>
    /// <param name="vocabSize">
    /// The model's vocabulary: every id must lie below it. Checked here, on the host, once per batch, so
    /// the model's forward need not read the ids back from the device.
    /// </param>
    public static CausalLMBatch Collate(IReadOnlyList<TrainingExample> examples, ReadOnlySpan<int> indices, int maxLength, int padTokenId, int vocabSize = int.MaxValue,
        Device? device = null)
    {
        if ((uint)padTokenId >= (uint)vocabSize)
            throw new ArgumentOutOfRangeException(nameof(padTokenId), padTokenId, $"The padding id {padTokenId} is outside the model's vocabulary [0, {vocabSize}).");
        int batch = indices.Length;
        var sequences = new (IReadOnlyList<int> Prompt, int PromptStart, IReadOnlyList<int> Completion)[batch];
        int longest = 0;
        for (int b = 0; b < batch; b++)
        {
            int index = indices[b];
            TrainingExample example = examples[index] ?? throw new ArgumentException($"Training example {index} is null.");
            IReadOnlyList<int> prompt = example.PromptIds ?? throw new ArgumentException($"Training example {index} has no prompt ids (null).");
            IReadOnlyList<int> completion = example.CompletionIds ?? throw new ArgumentException($"Training example {index} has no completion ids (null).");
            if (completion.Count == 0)
                throw new ArgumentException($"Training example {index} has an empty completion: there is nothing to learn.");
            if (completion.Count > maxLength)
                throw new ArgumentException(
                    $"Training example {index}: its completion alone has {completion.Count} tokens, more than the maximum length {maxLength}; completions are never truncated.");
            int keptPrompt = Math.Min(prompt.Count, maxLength - completion.Count);
            sequences[b] = (prompt, prompt.Count - keptPrompt, completion);
            longest = Math.Max(longest, keptPrompt + completion.Count);
        }

        var ids = new long[batch * longest];
        var mask = new long[batch * longest];
        var labels = new long[batch * longest];
        Array.Fill(ids, padTokenId);
        Array.Fill(labels, IgnoreIndex);
        int realTokens = 0, lossTokens = 0;
        for (int b = 0; b < batch; b++)
        {
            (IReadOnlyList<int> prompt, int start, IReadOnlyList<int> completion) = sequences[b];
            int row = b * longest, t = 0;
            for (int i = start; i < prompt.Count; i++, t++)
            {
                ids[row + t] = CheckedId(prompt[i], indices[b], "prompt", i, vocabSize);
                mask[row + t] = 1;
            }
            for (int i = 0; i < completion.Count; i++, t++)
            {
                ids[row + t] = CheckedId(completion[i], indices[b], "completion", i, vocabSize);
                mask[row + t] = 1;
                labels[row + t] = completion[i];
                if (t > 0) lossTokens++; // position 0 has no predecessor to predict it
            }
            realTokens += t;
        }

        return new CausalLMBatch(
            tensor(ids, new long[] { batch, longest }, device: device),
            tensor(mask, new long[] { batch, longest }, device: device),
            tensor(labels, new long[] { batch, longest }, device: device),
            realTokens,
            lossTokens);
    }

    private static int CheckedId(int id, int example, string part, int position, int vocabSize) =>
        (uint)id < (uint)vocabSize
            ? id
            : throw new ArgumentOutOfRangeException(
                "examples", id, $"Training example {example}: {part} token {position} is id {id}, outside the model's vocabulary [0, {vocabSize}).");

    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        Labels.Dispose();
    }
}
