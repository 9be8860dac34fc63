using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Checkpoints;

/// <summary>
/// Reads a safetensors file: an 8-byte little-endian header length, a JSON header that maps each
/// tensor name to <c>dtype</c>, <c>shape</c> and <c>data_offsets</c> (plus an optional string map
/// <c>__metadata__</c>), then the raw little-endian tensor bytes.
/// Opening parses and validates the whole header; tensor bytes are read only on request, straight
/// from the file into the tensor's own memory (no intermediate managed buffer).
/// Every error names the file, and the tensor where there is one.
/// </summary>
internal sealed class SafetensorsFile : IDisposable
{
    /// <summary>The largest header accepted; safetensors itself refuses headers above 100 MB.</summary>
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Bytes read per call, so tensors beyond 2 GB (Span's limit) still load.</summary>
    private const int ChunkBytes = 1 << 30;

    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafetensorsTensorInfo> _tensors;

    private SafetensorsFile(string path, SafeFileHandle handle, long dataStart,
        Dictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        _tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file's path, as given.</summary>
    public string Path { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the header has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors' names, in header order.</summary>
    public IEnumerable<string> Names => _tensors.Keys;

    /// <summary>Header entries of every tensor.</summary>
    public IEnumerable<SafetensorsTensorInfo> Tensors => _tensors.Values;

    /// <summary>Whether the file holds a tensor of that name.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The header entry of a tensor.</summary>
    public SafetensorsTensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"tensor '{name}' is not in safetensors file '{Path}'");

    /// <summary>Opens and validates a safetensors file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file.</exception>
    public static SafetensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors files are little-endian; this machine is not");
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8)
                throw Invalid(path, $"the file is {fileLength} bytes long, shorter than the 8-byte header length");
            Span<byte> lengthBytes = stackalloc byte[8];
            ReadExactly(handle, lengthBytes, 0, path, "header length");
            ulong headerLength = BitConverter.ToUInt64(lengthBytes);
            if (headerLength > (ulong)(fileLength - 8))
                throw Invalid(path, $"the header length {headerLength} is larger than the rest of the file ({fileLength - 8} bytes)");
            if (headerLength > MaxHeaderBytes)
                throw Invalid(path, $"the header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");

            byte[] header = new byte[headerLength];
            ReadExactly(handle, header, 8, path, "header");
            long dataStart = 8 + (long)headerLength;
            var (tensors, metadata) = ParseHeader(path, header, fileLength - dataStart);
            return new SafetensorsFile(path, handle, dataStart, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads a tensor onto the CPU in its stored dtype, then converts it to <paramref name="dtype"/>
    /// and moves it to <paramref name="device"/> when they are given.
    /// </summary>
    public Tensor Read(string name, ScalarType? dtype = null, Device? device = null)
    {
        var info = Info(name);
        Tensor stored = empty(info.Shape, info.ScalarType, CPU);
        try
        {
            if (info.ByteCount > 0)
                ReadInto(stored, info);
            Tensor result = stored;
            if (dtype is { } d && d != stored.dtype)
                result = result.to(d);
            if (device is not null && device.type != DeviceType.CPU)
            {
                var moved = result.to(device);
                if (!ReferenceEquals(result, stored)) result.Dispose();
                result = moved;
            }
            if (!ReferenceEquals(result, stored)) stored.Dispose();
            return result;
        }
        catch
        {
            stored.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads a tensor straight into <paramref name="target"/>'s own memory, with no intermediate tensor:
    /// the target must be a contiguous CPU tensor of the stored dtype and shape.
    /// </summary>
    public void ReadInto(string name, Tensor target)
    {
        var info = Info(name);
        if (target.dtype != info.ScalarType || target.device.type != DeviceType.CPU || !target.is_contiguous() || !target.shape.SequenceEqual(info.Shape))
            throw new ArgumentException(
                $"tensor '{name}' of '{Path}' ({info.DType} [{string.Join(", ", info.Shape)}]) cannot be read into a {target.dtype} [{string.Join(", ", target.shape)}] tensor on {target.device}");
        if (info.ByteCount > 0)
            ReadInto(target, info);
    }

    /// <summary>Reads every tensor (convenient for small files such as adapters and test vectors).</summary>
    public Dictionary<string, Tensor> ReadAll(ScalarType? dtype = null, Device? device = null) =>
        _tensors.Keys.ToDictionary(n => n, n => Read(n, dtype, device));

    private void ReadInto(Tensor target, SafetensorsTensorInfo info)
    {
        // Read the file straight into the tensor's storage, a chunk at a time.
        using var flat = target.view(-1);
        long elementSize = info.ByteCount / info.ElementCount;
        long chunkElements = Math.Max(1, ChunkBytes / elementSize);
        for (long start = 0; start < info.ElementCount; start += chunkElements)
        {
            long count = Math.Min(chunkElements, info.ElementCount - start);
            using var part = flat.narrow(0, start, count);
            ReadExactly(_handle, part.bytes, _dataStart + info.Begin + start * elementSize, Path, $"tensor '{info.Name}'");
        }
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path, string what)
    {
        while (buffer.Length > 0)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n == 0)
                throw Invalid(path, $"the file ended while reading the {what} (truncated file)");
            buffer = buffer[n..];
            offset += n;
        }
    }

    private static (Dictionary<string, SafetensorsTensorInfo>, IReadOnlyDictionary<string, string>) ParseHeader(
        string path, byte[] header, long dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"the header is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid(path, $"the header must be a JSON object, found {doc.RootElement.ValueKind}");

            var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object)
                        throw Invalid(path, "'__metadata__' must be an object of strings");
                    foreach (var m in entry.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw Invalid(path, $"'__metadata__' value '{m.Name}' must be a string, found {m.Value.ValueKind}");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                if (!tensors.TryAdd(entry.Name, ParseTensor(path, entry.Name, entry.Value, dataLength)))
                    throw Invalid(path, $"tensor '{entry.Name}' appears twice in the header");
            }
            CheckNoOverlap(path, tensors.Values);
            return (tensors, metadata);
        }
    }

    private static SafetensorsTensorInfo ParseTensor(string path, string name, JsonElement e, long dataLength)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"tensor '{name}': header entry must be an object, found {e.ValueKind}");

        if (!e.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Invalid(path, $"tensor '{name}': missing or non-string 'dtype'");
        string dtype = dtypeElement.GetString()!;
        if (!SafetensorsDType.TryParse(dtype, out var scalarType, out int elementSize))
            throw new NotSupportedException($"unsupported dtype '{dtype}' for tensor '{name}' in file '{path}'");

        if (!e.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Invalid(path, $"tensor '{name}': missing or non-array 'shape'");
        var shape = new long[shapeElement.GetArrayLength()];
        int i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long size) || size < 0)
                throw Invalid(path, $"tensor '{name}': shape entry {i} is not a non-negative integer");
            shape[i++] = size;
        }

        if (!e.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Invalid(path, $"tensor '{name}': 'data_offsets' must be an array [begin, end]");
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Invalid(path, $"tensor '{name}': 'data_offsets' must be two non-negative integers with begin <= end");
        if (end > dataLength)
            throw Invalid(path, $"tensor '{name}': data_offsets [{begin}, {end}] go beyond the end of the data ({dataLength} bytes; truncated file?)");

        long expectedBytes;
        try
        {
            long elements = 1;
            foreach (long s in shape)
                elements = checked(elements * s);
            expectedBytes = checked(elements * elementSize);
        }
        catch (OverflowException)
        {
            throw Invalid(path, $"tensor '{name}': shape [{string.Join(", ", shape)}] is too large");
        }
        if (end - begin != expectedBytes)
            throw Invalid(path, $"tensor '{name}': data_offsets [{begin}, {end}] hold {end - begin} bytes but shape [{string.Join(", ", shape)}] of {dtype} needs {expectedBytes}");

        return new SafetensorsTensorInfo(name, dtype, scalarType, shape, begin, end);
    }

    private static void CheckNoOverlap(string path, IEnumerable<SafetensorsTensorInfo> tensors)
    {
        SafetensorsTensorInfo? previous = null;
        foreach (var t in tensors.Where(t => t.ByteCount > 0).OrderBy(t => t.Begin))
        {
            if (previous is not null && t.Begin < previous.End)
                throw Invalid(path, $"tensors '{previous.Name}' [{previous.Begin}, {previous.End}] and '{t.Name}' [{t.Begin}, {t.End}] overlap");
            previous = t;
        }
    }

    private static InvalidDataException Invalid(string path, string message) =>
        new($"invalid safetensors file '{path}': {message}");

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
