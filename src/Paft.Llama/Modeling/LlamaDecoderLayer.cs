using Paft.Llama.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>One pre-norm transformer block: h = x + attn(norm(x)), then h + mlp(norm(h)).</summary>
internal sealed class LlamaDecoderLayer : nn.Module<Tensor, StepContext, Tensor>
{
    public readonly LlamaAttention self_attn;
    public readonly LlamaMlp mlp;
    public readonly RmsNorm input_layernorm;
    public readonly RmsNorm post_attention_layernorm;

    public LlamaDecoderLayer(LlamaConfig c, int layer, ScalarType dtype, Device device) : base(nameof(LlamaDecoderLayer))
    {
        self_attn = new LlamaAttention(c, layer, dtype, device);
        mlp = new LlamaMlp(c, dtype, device);
        input_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, dtype, device);
        post_attention_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, dtype, device);
        RegisterComponents();
    }

    /// <summary>x [B, T, hidden] → [B, T, hidden].</summary>
    public override Tensor forward(Tensor x, StepContext step)
    {
        using var scope = NewDisposeScope();
        var h = x.add(self_attn.call(input_layernorm.call(x), step), HeldScalars.One); // explicit alpha: see HeldScalars
        var output = h.add(mlp.call(post_attention_layernorm.call(h)), HeldScalars.One);
        return output.MoveToOuterDisposeScope();
    }
}
