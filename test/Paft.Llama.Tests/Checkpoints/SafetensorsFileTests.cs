using System.Text.Json;
using Paft.Llama.Checkpoints;
using Paft.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Checkpoints;

public class SafetensorsFileTests
{
    [Fact]
    public void ReadsValuesAndMetadataFromHandBuiltFile()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("a.safetensors");
        // Two F32 values (1.5, -2) and one I64 value (7), laid out by hand.
        byte[] data = [.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f), .. BitConverter.GetBytes(7L)];
        RawSafetensors.Write(path,
            """{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"n":{"dtype":"I64","shape":[],"data_offsets":[8,16]}}""",
            data);

        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        using var w = file.Read("w");
        Assert.Equal(ScalarType.Float32, w.dtype);
        Assert.Equal(new[] { 1.5f, -2f }, w.data<float>().ToArray());
        using var n = file.Read("n");
        Assert.Empty(n.shape);
        Assert.Equal(7L, n.item<long>());
    }

    [SharedFact]
    public void Bf16FixtureMatchesBitsDecodedByHand()
    {
        string path = SharedData.Path("fixtures", "llama", "tiny-llama3-bf16", "model.safetensors");
        using var file = SafetensorsFile.Open(path);
        var info = file.Info("model.embed_tokens.weight");
        Assert.Equal("BF16", info.DType);

        // Decode the first 64 values by hand: a bf16 is the top half of an fp32.
        byte[] raw = File.ReadAllBytes(path);
        long dataStart = 8 + (long)BitConverter.ToUInt64(raw, 0);
        var expected = new float[64];
        for (int i = 0; i < expected.Length; i++)
        {
            int bits = BitConverter.ToUInt16(raw, (int)(dataStart + info.Begin + 2 * i)) << 16;
            expected[i] = BitConverter.Int32BitsToSingle(bits);
        }

        using var t = file.Read("model.embed_tokens.weight", ScalarType.Float32);
        Assert.Equal(info.Shape, t.shape);
        using var flat = t.reshape(-1);
        using var first = flat[..64];
        Assert.Equal(expected, first.data<float>().ToArray());
    }

    [Fact]
    public void HeaderLongerThanFileIsNamed()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("big-header.safetensors");
        RawSafetensors.Write(path, "{}", [], declaredLength: 1_000_000);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("header length 1000000 is larger than", e.Message);
    }

    [Fact]
    public void FileShorterThanLengthPrefixIsNamed()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("tiny.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TruncatedDataNamesTensorAndFile()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("truncated.safetensors");
        RawSafetensors.Write(path, """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[10]);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'w'", e.Message);
        Assert.Contains("beyond the end", e.Message);
    }

    [Fact]
    public void OffsetsNotMatchingShapeAreNamed()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("size.safetensors");
        RawSafetensors.Write(path, """{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}""", new byte[16]);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("hold 12 bytes but shape [2, 2] of F32 needs 16", e.Message);
    }

    [Fact]
    public void OverlappingTensorsAreNamed()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("overlap.safetensors");
        RawSafetensors.Write(path,
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""",
            new byte[12]);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains("'a'", e.Message);
        Assert.Contains("'b'", e.Message);
        Assert.Contains("overlap", e.Message);
    }

    [Fact]
    public void MalformedJsonIsNamed()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("json.safetensors");
        RawSafetensors.Write(path, """{"w":{"dtype":"F32",""", []);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void MissingFieldIsNamed()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("field.safetensors");
        RawSafetensors.Write(path, """{"w":{"dtype":"F32","data_offsets":[0,4]}}""", new byte[4]);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains("tensor 'w'", e.Message);
        Assert.Contains("'shape'", e.Message);
    }

    [Fact]
    public void UnsupportedDtypeIsNamed()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("fp8.safetensors");
        RawSafetensors.Write(path, """{"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}""", new byte[4]);
        var e = Assert.Throws<NotSupportedException>(() => SafetensorsFile.Open(path));
        Assert.Equal($"unsupported dtype 'F8_E4M3' for tensor 'w' in file '{path}'", e.Message);
    }

    [Fact]
    public void UnknownTensorNameIsNamed()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("one.safetensors");
        RawSafetensors.Write(path, """{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", [9]);
        using var file = SafetensorsFile.Open(path);
        var e = Assert.Throws<KeyNotFoundException>(() => file.Read("v"));
        Assert.Contains("'v'", e.Message);
        Assert.Contains(path, e.Message);
    }
}
