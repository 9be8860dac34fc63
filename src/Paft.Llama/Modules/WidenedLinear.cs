using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Paft.Llama.Modules;

/// <summary>
/// <c>linear(x, W, b)</c> for a bf16 layer computed with fp32 kernels (see <see cref="Bf16Matmul"/>): the
/// operands are widened to fp32 for the product and the result rounded back to bf16. For a frozen weight
/// under autograd this is a function of its own that keeps only the bf16 weight for backward and widens
/// it again there: letting autograd record the cast would keep an fp32 copy of every frozen weight
/// (twice the bf16 model) alive until the backward pass.
/// </summary>
internal sealed class WidenedLinear : SingleTensorFunction<WidenedLinear>
{
    /// <summary>The most weights widened at once (16 M: 64 MB in fp32).</summary>
    internal const long BlockWeights = 1L << 24;

    /// <inheritdoc />
    public override string Name => nameof(WidenedLinear);

    /// <summary>The layer's output in <paramref name="input"/>'s dtype.</summary>
    public static Tensor Forward(Tensor input, Tensor weight, Tensor? bias)
    {
        bool frozen = !weight.requires_grad && bias is not { requires_grad: true };
        if (frozen && input.requires_grad && is_grad_enabled())
            return apply(input, weight, bias!);
        return Compute(input, weight, bias);
    }

    /// <inheritdoc />
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        Tensor input = (Tensor)vars[0], weight = (Tensor)vars[1];
        ctx.save_for_backward([weight]);
        using var noGrad = no_grad();
        return Compute(input, weight, vars[2] as Tensor);
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        Tensor weight = ctx.get_saved_variables()[0];
        using var scope = NewDisposeScope();
        // d(x Wᵀ + b)/dx = grad · W, in fp32 (summed over blocks of W's rows), rounded to the gradient's dtype.
        Tensor grad = grad_output.to(ScalarType.Float32);
        Tensor? sum = null;
        foreach ((long start, long count) in Blocks(weight))
        {
            Tensor part = grad.narrow(-1, start, count).matmul(weight.narrow(0, start, count).to(ScalarType.Float32));
            sum = sum is null ? part : sum.add_(part, HeldScalars.One);
        }
        return [sum!.to(grad_output.dtype).MoveToOuterDisposeScope(), null!, null!];
    }

    private static Tensor Compute(Tensor input, Tensor weight, Tensor? bias)
    {
        using var scope = NewDisposeScope();
        Tensor wide = input.to(ScalarType.Float32);
        var parts = Blocks(weight).Select(b => nn.functional.linear(
            wide, weight.narrow(0, b.Start, b.Count).to(ScalarType.Float32), bias?.narrow(0, b.Start, b.Count).to(ScalarType.Float32)).to(input.dtype)).ToList();
        Tensor output = parts.Count == 1 ? parts[0] : cat(parts, -1);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Blocks of the weight's output rows of at most <see cref="BlockWeights"/> weights each: the widened
    /// copy of a block is all the extra memory at any moment (64 MB), where widening a 128k-vocabulary
    /// <c>lm_head</c> whole would take a transient gigabyte. The projections of a 1B/8B layer are one block.
    /// </summary>
    private static IEnumerable<(long Start, long Count)> Blocks(Tensor weight)
    {
        long rows = weight.shape[0], perBlock = Math.Max(1, BlockWeights / weight.shape[1]);
        for (long start = 0; start < rows; start += perBlock)
            yield return (start, Math.Min(perBlock, rows - start));
    }
}
