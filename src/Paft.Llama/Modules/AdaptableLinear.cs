using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modules;

/// <summary>
/// A linear layer shaped and named like PyTorch's <c>nn.Linear</c> (<c>weight</c> [out, in], optional
/// <c>bias</c>), with one optional adapter slot. The adapter sees the layer's input and adds its output
/// to the frozen base output, so LoRA (or any other adapter) wraps the base weight without touching it.
/// </summary>
public sealed class AdaptableLinear : nn.Module<Tensor, Tensor>
{
    /// <summary>The base weight, [out_features, in_features].</summary>
    public Parameter weight;

    /// <summary>The base bias, [out_features], or null.</summary>
    public Parameter? bias;

    private ILinearAdapter? _adapter;

    /// <summary>Creates a layer with zero-initialised weights (checkpoints overwrite them).</summary>
    public AdaptableLinear(long inFeatures, long outFeatures, bool hasBias, ScalarType dtype, Device device)
        : base(nameof(AdaptableLinear))
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        weight = new Parameter(zeros(outFeatures, inFeatures, dtype, device));
        bias = hasBias ? new Parameter(zeros(outFeatures, dtype: dtype, device: device)) : null;
        RegisterComponents();
    }

    /// <summary>Input width.</summary>
    public long InFeatures { get; }

    /// <summary>Output width.</summary>
    public long OutFeatures { get; }

    /// <summary>
    /// The adapter, or null. Setting it registers it as the child module <c>adapter</c>, so its
    /// parameters appear in <c>parameters()</c> and <c>named_parameters()</c>.
    /// </summary>
    public ILinearAdapter? Adapter
    {
        get => _adapter;
        set
        {
            _adapter = value;
            if (value is null)
                _internal_submodules.Remove("adapter");
            else
                register_module("adapter", (nn.Module)value);
        }
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // A bf16 weight on a CPU without native bf16 products: fp32 kernels are about 4x faster (Bf16Matmul).
        Tensor output = Bf16Matmul.Widens(weight, input.NumberOfElements / InFeatures)
            ? WidenedLinear.Forward(input, weight, bias)
            : nn.functional.linear(input, weight, bias);
        return _adapter is null ? output : _adapter.Forward(input, output);
    }
}

/// <summary>An adapter in an <see cref="AdaptableLinear"/>: maps (input, base output) to the layer's output.</summary>
public interface ILinearAdapter
{
    /// <summary>Returns the adapted output; <paramref name="baseOutput"/> is <c>W x + b</c> of the frozen base.</summary>
    Tensor Forward(Tensor input, Tensor baseOutput);
}
