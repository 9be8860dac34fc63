using TorchSharp;
using TorchSharp.Modules;
using Paft.Llama.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// Root-mean-square layer norm, as Hugging Face's <c>LlamaRMSNorm</c>: normalise in fp32, cast back
/// to the input dtype, then scale by <c>weight</c>.
/// </summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>The per-channel scale, [dim].</summary>
    public Parameter weight;

    private readonly double _eps;

    public RmsNorm(long dim, double eps, ScalarType dtype, Device device) : base(nameof(RmsNorm))
    {
        weight = new Parameter(ones(dim, dtype, device));
        _eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        using Scalar eps = _eps.ToScalar(); // held to the end of the call: see HeldScalars
        var h = x.to(ScalarType.Float32);
        var variance = h.pow(HeldScalars.Two).mean([-1], keepdim: true); // square() would make its own 2
        h = h * rsqrt(variance.add(eps, HeldScalars.One));
        return (weight * h.to(x.dtype)).MoveToOuterDisposeScope();
    }
}
