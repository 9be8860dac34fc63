using Paft.Llama.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// Multi-head self-attention with rotary positions, grouped-query key/value heads and an optional KV
/// cache: softmax(q kᵀ / √d + mask) v by libtorch's fused <c>scaled_dot_product_attention</c>.
/// </summary>
internal sealed class LlamaAttention : nn.Module<Tensor, StepContext, Tensor>
{
    public readonly AdaptableLinear q_proj;
    public readonly AdaptableLinear k_proj;
    public readonly AdaptableLinear v_proj;
    public readonly AdaptableLinear o_proj;

    private readonly int _layer;
    private readonly long _heads;
    private readonly long _kvHeads;
    private readonly long _headDim;

    public LlamaAttention(LlamaConfig c, int layer, ScalarType dtype, Device device) : base(nameof(LlamaAttention))
    {
        _layer = layer;
        _heads = c.NumAttentionHeads;
        _kvHeads = c.NumKeyValueHeads;
        _headDim = c.HeadDim;
        q_proj = new AdaptableLinear(c.HiddenSize, _heads * _headDim, c.AttentionBias, dtype, device);
        k_proj = new AdaptableLinear(c.HiddenSize, _kvHeads * _headDim, c.AttentionBias, dtype, device);
        v_proj = new AdaptableLinear(c.HiddenSize, _kvHeads * _headDim, c.AttentionBias, dtype, device);
        o_proj = new AdaptableLinear(_heads * _headDim, c.HiddenSize, c.AttentionBias, dtype, device);
        RegisterComponents();
    }

    /// <summary>x [B, T, hidden] → [B, T, hidden]; with a cache in <paramref name="step"/>, the new keys and values are appended to it.</summary>
    public override Tensor forward(Tensor x, StepContext step)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var q = q_proj.call(x).view(b, t, _heads, _headDim).transpose(1, 2);
        var k = k_proj.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        var v = v_proj.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, step.Cos, step.Sin);
        k = RotaryEmbedding.Apply(k, step.Cos, step.Sin);
        if (step.Cache is { } cache)
            (k, v) = cache.Append(_layer, k, v);
        var attended = Attend(q, RepeatKv(k, _heads / _kvHeads), RepeatKv(v, _heads / _kvHeads), step);
        var merged = attended.transpose(1, 2).reshape(b, t, _heads * _headDim);
        return o_proj.call(merged).MoveToOuterDisposeScope();
    }

    /// <summary>q [B, H, T, D], k/v [B, H, K, D] (already repeated for GQA) → [B, H, T, D], masked as <paramref name="step"/> says.</summary>
    internal static Tensor Attend(Tensor q, Tensor k, Tensor v, StepContext step)
    {
        // bf16 on a CPU without native bf16 products: the fp32 kernel is several times faster (Bf16Matmul).
        if (!Bf16Matmul.Widens(q, q.shape[0] * q.shape[2]))
            return nn.functional.scaled_dot_product_attention(q, k, v, step.MaskBias, is_casual: step.IsCausal);
        using var scope = NewDisposeScope();
        var wide = nn.functional.scaled_dot_product_attention(q.to(ScalarType.Float32), k.to(ScalarType.Float32),
            v.to(ScalarType.Float32), step.MaskBias?.to(ScalarType.Float32), is_casual: step.IsCausal);
        return wide.to(q.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Hugging Face's repeat_kv: [B, kv, K, D] → [B, kv·n, K, D], query head h using kv head h / n.</summary>
    private static Tensor RepeatKv(Tensor x, long n)
    {
        if (n == 1) return x.alias();
        long b = x.shape[0], kv = x.shape[1], len = x.shape[2], d = x.shape[3];
        using var expanded = x.unsqueeze(2).expand(b, kv, n, len, d);
        return expanded.reshape(b, kv * n, len, d);
    }
}
