using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Checkpoints;

/// <summary>
/// Writes safetensors files the way the reference <c>safetensors</c> library lays them out: tensors
/// ordered by descending dtype width, then by name (ordinal), <c>__metadata__</c> first in the header,
/// the header padded with spaces to a multiple of 8 bytes. The same input always gives the same bytes.
/// The file is written to a temporary file in the same folder and renamed over the target, so a
/// reader never sees a half-written file.
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (name → tensor, any device) to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors
            .Select(kv => (Name: kv.Key, Tensor: kv.Value, DType: SafetensorsDType.NameOf(kv.Value.dtype)))
            .OrderByDescending(t => SafetensorsDType.AlignmentRank(t.Tensor.dtype))
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        var duplicate = ordered.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"tensor name '{duplicate.Key}' given twice for safetensors file '{path}'", nameof(tensors));
        if (ordered.Any(t => t.Name == "__metadata__"))
            throw new ArgumentException($"'__metadata__' is reserved and cannot name a tensor (file '{path}')", nameof(tensors));

        byte[] header = BuildHeader(ordered.Select(t => (t.Name, t.DType, t.Tensor.shape, t.Tensor.NumberOfElements * t.Tensor.ElementSize)), metadata);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BitConverter.TryWriteBytes(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var t in ordered)
                WriteData(stream, t.Tensor);
        });
    }

    private static byte[] BuildHeader(IEnumerable<(string Name, string DType, long[] Shape, long Bytes)> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping writes names as they are (like serde_json), not as \uXXXX escapes.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, shape, bytes) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (long d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data buffer starts 8-byte aligned, as the reference writer does.
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteData(Stream stream, Tensor tensor)
    {
        if (tensor.NumberOfElements == 0) return;
        // detach: parameters that require grad are written by value (each call returns a new handle,
        // so disposing these never touches the caller's tensor).
        using var detached = tensor.detach();
        using var cpu = detached.cpu();
        using var contiguous = cpu.contiguous();
        using var flat = contiguous.view(-1);
        long elementSize = tensor.ElementSize;
        long chunk = Math.Max(1, (1 << 30) / elementSize);
        for (long start = 0; start < flat.NumberOfElements; start += chunk)
        {
            using var part = flat.narrow(0, start, Math.Min(chunk, flat.NumberOfElements - start));
            stream.Write(part.bytes);
        }
    }
}
