using Paft.Llama.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Lora;

/// <summary>
/// The LoRA update of one <see cref="AdaptableLinear"/> (PEFT's <c>LoraLayer</c>): adds
/// <c>scaling · B A dropout(x)</c> to the frozen base output. Parameters <c>lora_A</c> [r, in] and
/// <c>lora_B</c> [out, r] are the only trainable tensors; the base weight is read, never written,
/// except by <see cref="Merge"/>/<see cref="Unmerge"/>.
/// </summary>
/// <remarks>
/// Precision: the adapter's parameters are fp32 when the base weight is a 16-bit type (bf16/fp16) and
/// the base weight's own dtype otherwise (fp32, or fp64 for gradient checks). The adapter casts its
/// input to that dtype, adds its update to the base output in that dtype and casts the sum back to the
/// base output's dtype, as PEFT does — so a bf16 base trains fp32 adapters with fp32 optimizer state.
/// </remarks>
public sealed class LoraAdapter : nn.Module, ILinearAdapter
{
    /// <summary>A, [r, in_features]; initialised Kaiming-uniform (a = √5).</summary>
    public Parameter lora_A;

    /// <summary>B, [out_features, r]; initialised to zero.</summary>
    public Parameter lora_B;

    // The adapted layer's weight, reached through a delegate: a Module- or Parameter-typed field would be
    // registered by RegisterComponents as a child of this adapter, making a cycle with the layer.
    private readonly Func<Parameter> _baseWeight;
    private readonly Action _detach;

    internal LoraAdapter(AdaptableLinear target, int rank, double scaling, double dropout, Generator? initGenerator)
        : base(nameof(LoraAdapter))
    {
        _baseWeight = () => target.weight;
        _detach = () => { if (ReferenceEquals(target.Adapter, this)) target.Adapter = null; };
        Rank = rank;
        Scaling = scaling;
        DropoutProbability = dropout;
        ScalarType baseType = target.weight.dtype;
        ScalarType dtype = baseType is ScalarType.BFloat16 or ScalarType.Float16 ? ScalarType.Float32 : baseType;
        Device device = target.weight.device;

        // Kaiming-uniform with a = √5 (nn.Linear's default, PEFT's lora_A init): gain = √(2 / (1 + a²)),
        // bound = gain · √3 / √fan_in, which is exactly 1 / √fan_in.
        double gain = Math.Sqrt(2.0 / (1.0 + 5.0));
        double bound = gain * Math.Sqrt(3.0) / Math.Sqrt(target.InFeatures);
        using (no_grad())
        {
            Tensor a = empty(new long[] { rank, target.InFeatures }, dtype, device);
            a.uniform_(-bound, bound, initGenerator);
            lora_A = new Parameter(a, requires_grad: true);
            lora_B = new Parameter(zeros(new long[] { target.OutFeatures, rank }, dtype, device), requires_grad: true);
        }
        RegisterComponents();
    }

    /// <summary>The rank r.</summary>
    public int Rank { get; }

    /// <summary>alpha / r.</summary>
    public double Scaling { get; }

    /// <summary>Dropout probability on the input of A (training mode only).</summary>
    public double DropoutProbability { get; }

    /// <summary>Whether B A is currently folded into the base weight.</summary>
    public bool IsMerged { get; private set; }

    /// <summary>
    /// The generator dropout draws from, so training is reproducible without touching torch's global
    /// RNG; null to use the global RNG.
    /// </summary>
    internal Generator? DropoutGenerator { get; set; }

    /// <inheritdoc />
    public Tensor Forward(Tensor input, Tensor baseOutput)
    {
        if (IsMerged)
            return baseOutput;
        ScalarType dtype = lora_A.dtype;
        Tensor x = input.dtype == dtype ? input : input.to(dtype);
        if (training && DropoutProbability > 0)
        {
            // Inverted dropout with our own generator (nn.functional.dropout takes none).
            using Scalar p = DropoutProbability.ToScalar(), keptShare = (1.0 - DropoutProbability).ToScalar(); // held: see HeldScalars
            Tensor keep = rand(x.shape, dtype, x.device, generator: DropoutGenerator).ge_(p);
            x = (x * keep).div(keptShare);
        }
        using Scalar scaling = Scaling.ToScalar(); // held to the end of the call: see HeldScalars
        Tensor update = nn.functional.linear(nn.functional.linear(x, lora_A), lora_B).mul_(scaling);
        Tensor sum = baseOutput.dtype == dtype ? baseOutput.add(update, HeldScalars.One) : baseOutput.to(dtype).add_(update, HeldScalars.One);
        return sum.dtype == baseOutput.dtype ? sum : sum.to(baseOutput.dtype);
    }

    /// <summary>Removes this adapter from its layer.</summary>
    internal void Detach() => _detach();

    /// <summary>The update <c>scaling · B A</c> as a dense [out, in] matrix in the adapter's dtype.</summary>
    public Tensor DeltaWeight()
    {
        using var noGrad = no_grad();
        using Scalar scaling = Scaling.ToScalar(); // held to the end of the call: see HeldScalars
        return lora_B.matmul(lora_A).mul_(scaling);
    }

    /// <summary>
    /// Folds the update into the base weight (W ← W + scaling · B A) so inference costs nothing extra.
    /// The sum is formed in the adapter's dtype and rounded once to the base dtype.
    /// </summary>
    public void Merge()
    {
        if (IsMerged)
            throw new InvalidOperationException("The LoRA adapter is already merged into its base weight.");
        using (no_grad())
        using (NewDisposeScope())
        {
            Parameter weight = _baseWeight();
            weight.copy_(weight.to(lora_A.dtype).add(DeltaWeight(), HeldScalars.One));
        }
        IsMerged = true;
    }

    /// <summary>
    /// Subtracts the update from the base weight again (the inverse of <see cref="Merge"/>; exact up to
    /// rounding in the base dtype, so a bf16 base may differ from its original in the last bit).
    /// </summary>
    public void Unmerge()
    {
        if (!IsMerged)
            throw new InvalidOperationException("The LoRA adapter is not merged.");
        using (no_grad())
        using (NewDisposeScope())
        {
            Parameter weight = _baseWeight();
            weight.copy_(weight.to(lora_A.dtype) - DeltaWeight());
        }
        IsMerged = false;
    }
}
