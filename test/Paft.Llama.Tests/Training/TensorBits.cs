using static TorchSharp.torch;

namespace Paft.Llama.Tests.Training;

/// <summary>Bit-for-bit tensor comparison (TorchSharp's <c>equal</c> is element-wise).</summary>
internal static class TensorBits
{
    public static bool Same(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) &&
        a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);
}
