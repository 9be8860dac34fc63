using Paft.Llama.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Training;

/// <summary>
/// The causal-LM loss on completion tokens only: the logits at position t score the label at t + 1
/// (labels shifted left by one, as Hugging Face's <c>LlamaForCausalLM</c> does), positions labelled
/// <see cref="CausalLMBatch.IgnoreIndex"/> contribute nothing, and log-softmax is taken in fp32
/// whatever the logits' dtype.
/// </summary>
internal static class CompletionLoss
{
    /// <summary>The summed negative log-likelihood of all labelled tokens, an fp32 scalar.</summary>
    public static Tensor Sum(Tensor logits, Tensor labels)
    {
        if (logits.dim() != 3 || labels.dim() != 2 || logits.shape[0] != labels.shape[0] || logits.shape[1] != labels.shape[1])
            throw new ArgumentException(
                $"Logits [{string.Join(", ", logits.shape)}] and labels [{string.Join(", ", labels.shape)}] must be [B, T, V] and [B, T].");
        long vocab = logits.shape[2];
        using var scope = NewDisposeScope();
        Tensor predicting = logits[.., ..^1, ..].to(ScalarType.Float32).reshape(-1, vocab);
        Tensor targets = labels[.., 1..].reshape(-1);
        Tensor sum = nn.functional.cross_entropy(predicting, targets, ignore_index: CausalLMBatch.IgnoreIndex, reduction: nn.Reduction.Sum);
        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same sum as <see cref="Sum"/> over <paramref name="model"/>'s logits, with <c>lm_head</c> and the
    /// log-softmax run only at the positions that predict a labelled token (Hugging Face's
    /// <c>logits_to_keep</c> idea): an answer is a few tokens of a sequence of hundreds, and on a 128k
    /// vocabulary the full [B, T, V] logits cost as much as several decoder layers, in time and memory.
    /// </summary>
    public static Tensor SumAtCompletions(LlamaForCausalLM model, Tensor inputIds, Tensor attentionMask, Tensor labels)
    {
        if (labels.dim() != 2 || !labels.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException(
                $"Labels [{string.Join(", ", labels.shape)}] must have the shape of the input ids [{string.Join(", ", inputIds.shape)}].");
        using var scope = NewDisposeScope();
        using Scalar ignored = CausalLMBatch.IgnoreIndex.ToScalar(); // held to the end of the call: see HeldScalars
        Tensor hidden = model.ForwardHidden(inputIds, attentionMask, null);                 // [B, T, H]
        long width = hidden.shape[2];
        Tensor targets = labels[.., 1..].reshape(-1);                                        // position t predicts t + 1
        Tensor kept = targets.ne(ignored).nonzero().squeeze(1);
        Tensor predicting = hidden[.., ..^1, ..].reshape(-1, width).index_select(0, kept);  // [N, H]
        Tensor logits = model.Logits(predicting);                                            // [N, V] fp32
        Tensor sum = nn.functional.cross_entropy(logits, targets.index_select(0, kept), reduction: nn.Reduction.Sum);
        return sum.MoveToOuterDisposeScope();
    }

    /// <summary>The mean over labelled tokens (NaN when there are none).</summary>
    public static Tensor Mean(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using Scalar ignored = CausalLMBatch.IgnoreIndex.ToScalar(); // held to the end of the call: see HeldScalars
        long count = labels[.., 1..].ne(ignored).sum().item<long>();
        using Scalar divisor = count.ToScalar();
        return (Sum(logits, labels) / divisor).MoveToOuterDisposeScope();
    }
}
