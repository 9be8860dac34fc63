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
        // d(x Wᵀ + b)/dx = grad · W, in fp32, rounded to the input's dtype (the gradient's, bf16).
        Tensor gradInput = grad_output.to(ScalarType.Float32).matmul(weight.to(ScalarType.Float32)).to(grad_output.dtype);
        return [gradInput.MoveToOuterDisposeScope(), null!, null!];
    }

    private static Tensor Compute(Tensor input, Tensor weight, Tensor? bias)
    {
        using var scope = NewDisposeScope();
        Tensor output = nn.functional.linear(input.to(ScalarType.Float32), weight.to(ScalarType.Float32), bias?.to(ScalarType.Float32));
        return output.to(input.dtype).MoveToOuterDisposeScope();
    }
}
