using Paft.Llama.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) * up(x)).</summary>
internal sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    public readonly AdaptableLinear gate_proj;
    public readonly AdaptableLinear up_proj;
    public readonly AdaptableLinear down_proj;

    public LlamaMlp(LlamaConfig c, ScalarType dtype, Device device) : base(nameof(LlamaMlp))
    {
        gate_proj = new AdaptableLinear(c.HiddenSize, c.IntermediateSize, c.MlpBias, dtype, device);
        up_proj = new AdaptableLinear(c.HiddenSize, c.IntermediateSize, c.MlpBias, dtype, device);
        down_proj = new AdaptableLinear(c.IntermediateSize, c.HiddenSize, c.MlpBias, dtype, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var gate = gate_proj.call(x);
        using var act = nn.functional.silu(gate);
        using var up = up_proj.call(x);
        using var h = act * up;
        return down_proj.call(h);
    }
}
