using System.Buffers.Binary;
using System.Text.Json;

namespace Paft.Llama.Tests.Tokenization;

/// <summary>
/// Reads one int64 tensor from a safetensors file (8-byte header length, JSON header, raw little-endian
/// data). A minimal test-side reader for the fixtures' <c>input_ids</c>, until the model code's
/// checkpoint reader is on main.
/// </summary>
internal static class ExpectedIds
{
    internal static long[] ReadInt64(string path, string name)
    {
        byte[] file = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
        JsonElement tensor = header.RootElement.GetProperty(name);
        Assert.Equal("I64", tensor.GetProperty("dtype").GetString());
        long begin = tensor.GetProperty("data_offsets")[0].GetInt64();
        long end = tensor.GetProperty("data_offsets")[1].GetInt64();
        var data = file.AsSpan((int)(8 + headerLength + begin), (int)(end - begin));
        var values = new long[data.Length / 8];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]);
        return values;
    }
}
