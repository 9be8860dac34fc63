using Paft.Llama.Inference;
using Paft.Llama.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>Multi-head self-attention with rotary positions, grouped-query key/value heads and an optional KV cache.</summary>
internal sealed class LlamaAttention : nn.Module<Tensor, Tensor>
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

    /// <summary>Use the explicit fp32-softmax path instead of the fused kernel (for tests).</summary>
    public bool ExplicitSoftmax { get; set; }

    public override Tensor forward(Tensor x) =>
        throw new NotSupportedException("LlamaAttention needs positions and a mask; call Forward.");

    /// <summary>x [B, T, hidden] → [B, T, hidden].</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, AttentionMask mask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var q = q_proj.call(x).view(b, t, _heads, _headDim).transpose(1, 2);
        var k = k_proj.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        var v = v_proj.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null)
            (k, v) = cache.Append(_layer, k, v);
        k = Attention.RepeatKv(k, _heads / _kvHeads);
        v = Attention.RepeatKv(v, _heads / _kvHeads);
        var attended = Attention.Compute(q, k, v, mask, ExplicitSoftmax);
        var merged = attended.transpose(1, 2).reshape(b, t, _heads * _headDim);
        return o_proj.call(merged).MoveToOuterDisposeScope();
    }
}
