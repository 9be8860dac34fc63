using static TorchSharp.torch;

namespace Paft.Llama.Checkpoints;

/// <summary>One tensor's header entry in a safetensors file: dtype, shape and where its bytes lie.</summary>
/// <param name="Name">The tensor's key in the header.</param>
/// <param name="DType">The header's dtype name, e.g. <c>BF16</c>.</param>
/// <param name="ScalarType">The torch scalar type of <paramref name="DType"/>.</param>
/// <param name="Shape">The tensor's shape (empty for a scalar).</param>
/// <param name="Begin">Offset of the first byte, relative to the start of the data buffer.</param>
/// <param name="End">Offset one past the last byte, relative to the start of the data buffer.</param>
internal sealed record SafetensorsTensorInfo(
    string Name, string DType, ScalarType ScalarType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Number of bytes of data.</summary>
    public long ByteCount => End - Begin;
}
