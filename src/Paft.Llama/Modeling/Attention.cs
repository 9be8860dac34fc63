using Paft.Llama.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// softmax(q kᵀ / √d + mask) v, two ways: libtorch's fused <c>scaled_dot_product_attention</c> (the
/// default), and an explicit path that computes the softmax in fp32 as Hugging Face's eager attention
/// does (the reference the fused path is tested against).
/// </summary>
internal static class Attention
{
    /// <summary>q [B, H, T, D], k/v [B, H, K, D] (already repeated for GQA) → [B, H, T, D].</summary>
    public static Tensor Compute(Tensor q, Tensor k, Tensor v, AttentionMask mask, bool explicitSoftmax)
    {
        if (!explicitSoftmax)
        {
            // bf16 on a CPU without native bf16 products: the fp32 kernel is several times faster (Bf16Matmul).
            if (!Bf16Matmul.Widens(q, q.shape[0] * q.shape[2]))
                return nn.functional.scaled_dot_product_attention(q, k, v, mask.Additive, is_casual: mask.IsCausal);
            using var widenScope = NewDisposeScope();
            var wide = nn.functional.scaled_dot_product_attention(
                q.to(ScalarType.Float32), k.to(ScalarType.Float32), v.to(ScalarType.Float32), mask.Additive?.to(ScalarType.Float32), is_casual: mask.IsCausal);
            return wide.to(q.dtype).MoveToOuterDisposeScope();
        }

        using var scope = NewDisposeScope();
        using Scalar scale = (1.0 / Math.Sqrt(q.shape[^1])).ToScalar(); // held to the end of the call: see HeldScalars
        var scores = q.matmul(k.transpose(-2, -1)) * scale;   // [B, H, T, K]
        if (mask.Additive is not null)
        {
            scores = scores.add(mask.Additive, HeldScalars.One); // explicit alpha: see HeldScalars
        }
        else if (mask.IsCausal)
        {
            long t = q.shape[2], kLen = k.shape[2];
            var future = ones(t, kLen, ScalarType.Bool, q.device).triu(1 + kLen - t);
            scores = scores.masked_fill(future, HeldScalars.NegativeInfinity);
        }
        var weights = scores.to(ScalarType.Float32).softmax(-1).to(q.dtype);
        return weights.matmul(v).MoveToOuterDisposeScope();
    }

    /// <summary>Hugging Face's repeat_kv: [B, kv, K, D] → [B, kv·n, K, D], query head h using kv head h / n.</summary>
    public static Tensor RepeatKv(Tensor x, long n)
    {
        if (n == 1) return x.alias();
        long b = x.shape[0], kv = x.shape[1], len = x.shape[2], d = x.shape[3];
        using var expanded = x.unsqueeze(2).expand(b, kv, n, len, d);
        return expanded.reshape(b, kv * n, len, d);
    }
}
