using System.Runtime.InteropServices;
using Paft.Llama.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Training;

/// <summary>
/// AdamW as PyTorch's <c>torch.optim.AdamW</c> defines it (no amsgrad, not maximising): decoupled weight
/// decay <c>θ ← θ·(1 − lr·λ)</c>, moments <c>m ← β₁m + (1−β₁)g</c> and <c>v ← β₂v + (1−β₂)g²</c>, and
/// <c>θ ← θ − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε)</c>, with ε outside the square root of the corrected
/// second moment.
/// </summary>
/// <remarks>
/// Why not TorchSharp's <c>optim.AdamW</c>: its <c>step()</c> turns every hyperparameter into a
/// <see cref="Scalar"/> that only a finalizer frees, so a garbage collection started by another thread
/// of the host can free one while libtorch still reads it ("Unknown scalar type"). Here each Scalar is a
/// <c>using</c> local, alive until the call that reads it has returned. The state (step count and both
/// moments per parameter) is saved by name in <see cref="Save"/> so a resumed run continues bit-identically.
/// </remarks>
internal sealed class AdamWOptimizer : IDisposable
{
    private const string Magic = "PAFT-ADAMW";
    private const int StateFormat = 1;

    private readonly Slot[] _slots;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;

    /// <summary>Creates the optimizer; moments start at zero, as PyTorch's do.</summary>
    /// <param name="parameters">The parameters with their names (used to match saved state) and weight decay λ.</param>
    /// <param name="beta1">β₁, the first moment's decay.</param>
    /// <param name="beta2">β₂, the second moment's decay.</param>
    /// <param name="epsilon">ε, added to the denominator outside the square root.</param>
    public AdamWOptimizer(IEnumerable<(string Name, Parameter Parameter, double WeightDecay)> parameters, double beta1, double beta2, double epsilon)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        using (no_grad())
            _slots = parameters.Select(p => new Slot(p.Name, p.Parameter, p.WeightDecay)).ToArray();
    }

    /// <summary>The number of steps taken by the first parameter (all take the same while every one has a gradient).</summary>
    public long StepCount => _slots.Length == 0 ? 0 : _slots[0].Step;

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (Slot s in _slots)
        {
            using Tensor? grad = s.Parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient, at learning rate <paramref name="learningRate"/>.</summary>
    public void Step(double learningRate)
    {
        using var noGrad = no_grad();
        using Scalar beta1 = _beta1.ToScalar(), oneMinusBeta1 = (1 - _beta1).ToScalar();
        using Scalar beta2 = _beta2.ToScalar(), oneMinusBeta2 = (1 - _beta2).ToScalar();
        using Scalar epsilon = _epsilon.ToScalar();
        foreach (Slot s in _slots)
        {
            using Tensor? grad = s.Parameter.grad;
            if (grad is null) continue;
            s.Step++;
            double biasCorrection1 = 1 - Math.Pow(_beta1, s.Step);
            double biasCorrection2 = 1 - Math.Pow(_beta2, s.Step);
            using Scalar decay = (1 - learningRate * s.WeightDecay).ToScalar();
            using Scalar sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
            using Scalar negativeStepSize = (-learningRate / biasCorrection1).ToScalar();

            s.Parameter.mul_(decay);
            s.ExpAvg.mul_(beta1).add_(grad, oneMinusBeta1);
            s.ExpAvgSq.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            using Tensor root = s.ExpAvgSq.sqrt();
            Tensor denominator = root.div_(sqrtBiasCorrection2).add_(epsilon, HeldScalars.One); // in place: root itself
            s.Parameter.addcdiv_(s.ExpAvg, denominator, negativeStepSize);
        }
    }

    /// <summary>Writes the state: per parameter its name, step count and both moments as float32.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(StateFormat);
        writer.Write(_slots.Length);
        foreach (Slot s in _slots)
        {
            writer.Write(s.Name);
            writer.Write(s.Step);
            writer.Write(s.ExpAvg.numel());
            WriteFloats(writer, s.ExpAvg);
            WriteFloats(writer, s.ExpAvgSq);
        }
    }

    /// <summary>Reads state written by <see cref="Save"/> for the same parameters, refusing any other in one line naming <paramref name="source"/>.</summary>
    public void Load(BinaryReader reader, string source)
    {
        try
        {
            if (reader.ReadString() != Magic)
                throw new InvalidDataException($"'{source}' is not Paft's AdamW state (written by an older version? start the run again without --resume)");
            int format = reader.ReadInt32();
            if (format != StateFormat)
                throw new InvalidDataException($"'{source}' has AdamW state format {format}; this version reads format {StateFormat}");
            int count = reader.ReadInt32();
            if (count != _slots.Length)
                throw new InvalidDataException($"'{source}' holds AdamW state for {count} tensors; the adapters being trained have {_slots.Length}");
            using var noGrad = no_grad();
            foreach (Slot s in _slots)
            {
                string name = reader.ReadString();
                if (name != s.Name)
                    throw new InvalidDataException($"'{source}' holds AdamW state for '{name}' where '{s.Name}' was expected");
                long step = reader.ReadInt64();
                long numel = reader.ReadInt64();
                if (numel != s.ExpAvg.numel())
                    throw new InvalidDataException($"'{source}': tensor '{name}' has {numel} elements in the AdamW state, {s.ExpAvg.numel()} in the adapter");
                ReadFloats(reader, s.ExpAvg);
                ReadFloats(reader, s.ExpAvgSq);
                s.Step = step;
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{source}' is truncated: {e.Message}", e);
        }
    }

    private static void WriteFloats(BinaryWriter writer, Tensor t)
    {
        using Tensor flat = t.to(ScalarType.Float32).cpu().contiguous();
        writer.Write(MemoryMarshal.AsBytes(flat.data<float>().ToArray().AsSpan()));
    }

    private static void ReadFloats(BinaryReader reader, Tensor into)
    {
        var values = new float[into.numel()];
        int bytes = values.Length * sizeof(float);
        byte[] raw = reader.ReadBytes(bytes);
        if (raw.Length != bytes) throw new EndOfStreamException($"{bytes} bytes of moments expected, {raw.Length} found");
        raw.AsSpan().CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        using Tensor loaded = tensor(values, into.shape, ScalarType.Float32);
        into.copy_(loaded);
    }

    /// <summary>Frees the moments.</summary>
    public void Dispose()
    {
        foreach (Slot s in _slots)
        {
            s.ExpAvg.Dispose();
            s.ExpAvgSq.Dispose();
        }
    }

    private sealed class Slot(string name, Parameter parameter, double weightDecay)
    {
        public string Name { get; } = name;
        public Parameter Parameter { get; } = parameter;
        public double WeightDecay { get; } = weightDecay;
        public long Step { get; set; }
        public Tensor ExpAvg { get; } = zeros_like(parameter).DetachFromDisposeScope();
        public Tensor ExpAvgSq { get; } = zeros_like(parameter).DetachFromDisposeScope();
    }
}
