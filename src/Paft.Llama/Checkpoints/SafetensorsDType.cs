using static TorchSharp.torch;

namespace Paft.Llama.Checkpoints;

/// <summary>
/// The safetensors dtype names this project reads and writes, and their torch scalar types.
/// Names and sizes follow the safetensors format specification (huggingface/safetensors).
/// </summary>
internal static class SafetensorsDType
{
    private static readonly (string Name, ScalarType Type, int Size)[] Known =
    [
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>Maps a header dtype name to its scalar type and element size; false if unsupported.</summary>
    public static bool TryParse(string name, out ScalarType type, out int elementSize)
    {
        foreach (var k in Known)
        {
            if (k.Name == name)
            {
                type = k.Type;
                elementSize = k.Size;
                return true;
            }
        }
        type = default;
        elementSize = 0;
        return false;
    }

    /// <summary>The header dtype name of a scalar type.</summary>
    public static string NameOf(ScalarType type)
    {
        foreach (var k in Known)
            if (k.Type == type)
                return k.Name;
        throw new NotSupportedException($"scalar type {type} cannot be written to safetensors (supported: {string.Join(", ", Known.Select(k => k.Type))})");
    }

    /// <summary>
    /// The rank safetensors' own writer uses to order tensors in a file: wider (more aligned) dtypes
    /// first, so every tensor starts on a boundary of its element size. It mirrors the declaration order
    /// of the Rust <c>Dtype</c> enum, sorted descending.
    /// </summary>
    public static int AlignmentRank(ScalarType type) => type switch
    {
        ScalarType.Int64 => 10,
        ScalarType.Float64 => 9,
        ScalarType.Float32 => 8,
        ScalarType.Int32 => 7,
        ScalarType.BFloat16 => 6,
        ScalarType.Float16 => 5,
        ScalarType.Int16 => 4,
        ScalarType.Int8 => 3,
        ScalarType.Byte => 2,
        ScalarType.Bool => 1,
        _ => 0,
    };
}
