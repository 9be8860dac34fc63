using Paft.Llama.Modules;
using Paft.Llama.Tests.Training;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Modules;

/// <summary>
/// The bf16 linear layer computed with fp32 kernels (for CPUs without native bf16 products): its output
/// and its input gradient are exactly those of the same fp32 arithmetic recorded by autograd, and stay
/// within bf16 rounding of libtorch's own bf16 kernel.
/// </summary>
public class WidenedLinearTests
{
    private static (Tensor X, Tensor W, Tensor B) Operands(bool withBias)
    {
        using var g = new Generator(11);
        Tensor x = randn(new long[] { 2, 24, 64 }, generator: g).to(ScalarType.BFloat16);
        Tensor w = (randn(new long[] { 48, 64 }, generator: g) * 0.1).to(ScalarType.BFloat16);
        Tensor b = randn(new long[] { 48 }, generator: g).to(ScalarType.BFloat16);
        return (x, w, withBias ? b : null!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OutputAndInputGradientEqualTheFp32ComputationRecordedByAutograd(bool withBias)
    {
        (Tensor x, Tensor w, Tensor? b) = Operands(withBias);
        using var g = new Generator(12);
        Tensor upstream = randn(new long[] { 2, 24, 48 }, generator: g).to(ScalarType.BFloat16);

        Tensor x1 = x.detach().requires_grad_();
        Tensor y1 = WidenedLinear.Forward(x1, w, b);
        y1.backward([upstream]);

        Tensor x2 = x.detach().requires_grad_();
        Tensor y2 = nn.functional.linear(x2.to(ScalarType.Float32), w.to(ScalarType.Float32), b?.to(ScalarType.Float32)).to(ScalarType.BFloat16);
        y2.backward([upstream]);

        Assert.Equal(ScalarType.BFloat16, y1.dtype);
        Assert.Equal(ScalarType.BFloat16, x1.grad!.dtype);
        Assert.True(TensorBits.Same(y1, y2), "output differs from linear(x.fp32, W.fp32) rounded to bf16");
        Assert.True(TensorBits.Same(x1.grad!, x2.grad!), "input gradient differs from autograd's through the casts");
        Assert.Null(w.grad);
    }

    [Fact]
    public void AWeightOfMoreThanOneBlockIsWidenedBlockByBlockWithTheSameResult()
    {
        // 2 blocks and 5 rows: 262,149 x 64 weights, more than WidenedLinear.BlockWeights.
        long rows = WidenedLinear.BlockWeights / 64 + 5;
        using var g = new Generator(13);
        Tensor x = randn(new long[] { 2, 3, 64 }, generator: g).to(ScalarType.BFloat16);
        Tensor w = (randn(new long[] { rows, 64 }, generator: g) * 0.1).to(ScalarType.BFloat16);
        Tensor upstream = randn(new long[] { 2, 3, rows }, generator: g).to(ScalarType.BFloat16);

        Tensor x1 = x.detach().requires_grad_();
        Tensor y1 = WidenedLinear.Forward(x1, w, null);
        y1.backward([upstream]);
        Tensor x2 = x.detach().requires_grad_();
        Tensor y2 = nn.functional.linear(x2.to(ScalarType.Float32), w.to(ScalarType.Float32)).to(ScalarType.BFloat16);
        y2.backward([upstream]);

        Assert.Equal(y2.shape, y1.shape);
        // Per output the same fp32 dot product; the input gradient sums the blocks' parts in another order,
        // so both may differ by one bf16 rounding (2^-8 of the scale) at most.
        double yScale = y2.to(ScalarType.Float32).abs().max().item<float>();
        Assert.True((y1.to(ScalarType.Float32) - y2.to(ScalarType.Float32)).abs().max().item<float>() <= yScale / 256);
        Assert.True((y1.to(ScalarType.Float32) - y2.to(ScalarType.Float32)).narrow(-1, rows - 5, 5).abs().max().item<float>() <= yScale / 256);
        double gScale = x2.grad!.to(ScalarType.Float32).abs().max().item<float>();
        Assert.True((x1.grad!.to(ScalarType.Float32) - x2.grad!.to(ScalarType.Float32)).abs().max().item<float>() <= gScale / 256);
    }

    [Fact]
    public void StaysWithinBf16RoundingOfTheNativeBf16Kernel()
    {
        (Tensor x, Tensor w, _) = Operands(withBias: false);
        Tensor widened = WidenedLinear.Forward(x, w, null).to(ScalarType.Float32);
        Tensor native = nn.functional.linear(x, w).to(ScalarType.Float32);
        Tensor exact = nn.functional.linear(x.to(ScalarType.Float64), w.to(ScalarType.Float64));
        double scale = exact.abs().max().item<double>();
        // One bf16 rounding of the result (2^-8 relative to its scale) is the widened path's only error;
        // the native kernel rounds too, so the two differ by at most two roundings.
        Assert.True((widened.to(ScalarType.Float64) - exact).abs().max().item<double>() <= scale / 256);
        Assert.True((widened - native).abs().max().item<float>() <= 2 * scale / 256);
    }

    [Fact]
    public void ATrainableWeightStillGetsItsGradient()
    {
        (Tensor x, Tensor w, _) = Operands(withBias: false);
        Tensor trainable = w.to(ScalarType.Float32).to(ScalarType.BFloat16).requires_grad_();
        Tensor xg = x.detach().requires_grad_();
        WidenedLinear.Forward(xg, trainable, null).to(ScalarType.Float32).sum().backward();
        // A weight that requires grad takes the plain autograd path and gets its gradient: sum over rows of x.
        Tensor expected = x.to(ScalarType.Float32).reshape(-1, 64).sum(new long[] { 0 }).unsqueeze(0).expand(48, 64).to(ScalarType.BFloat16);
        Assert.NotNull(trainable.grad);
        float diff = (trainable.grad!.to(ScalarType.Float32) - expected.to(ScalarType.Float32)).abs().max().item<float>();
        float scale = expected.to(ScalarType.Float32).abs().max().item<float>();
        Assert.True(diff <= scale / 128, $"weight gradient: max |diff| {diff}, scale {scale}");
    }

    [Theory]
    [InlineData(null, true, false)]
    [InlineData(null, false, true)]
    [InlineData("", false, true)]
    [InlineData("native", false, false)]
    [InlineData("fp32", true, true)]
    [InlineData(" FP32 ", true, true)]
    public void TheOverrideWinsOverTheDetectedCapability(string? overrideValue, bool cpuHasNativeBf16, bool widens) =>
        Assert.Equal(widens, Bf16Matmul.Decide(overrideValue, cpuHasNativeBf16));

    [Fact]
    public void AnUnknownOverrideIsAnErrorNamingTheVariable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Bf16Matmul.Decide("bf16", cpuHasNativeBf16: true));
        Assert.Contains(Bf16Matmul.OverrideVariable, error.Message);
    }
}
