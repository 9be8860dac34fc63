using System.Text.Json;
using Paft.Llama.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Checkpoints;

public class SafetensorsWriterTests
{
    [Fact]
    public void RoundTripsEveryDtypeWithMetadata()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("all.safetensors");
        using var source = arange(0, 6, dtype: ScalarType.Float64).reshape(2, 3).sub(2.5);
        ScalarType[] types =
        [
            ScalarType.Float64, ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16,
            ScalarType.Int64, ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Bool,
        ];
        var tensors = types.ToDictionary(t => "t_" + t, t => source.to(t));
        tensors["t_Byte"] = source.abs().to(ScalarType.Byte);
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "x" });

        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("x", file.Metadata["note"]);
        foreach (var (name, expected) in tensors)
        {
            using var actual = file.Read(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.eq(actual).all().item<bool>(), name);
        }
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void LaysOutTensorsByDescendingDtypeThenNameWithAlignedHeader()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("order.safetensors");
        using var a = ones(3, dtype: ScalarType.BFloat16);
        using var b = ones(2, dtype: ScalarType.Float32);
        using var c = ones(1, dtype: ScalarType.Int64);
        using var d = ones(2, dtype: ScalarType.Float32);
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["z_bf16"] = a, ["b_f32"] = b, ["m_i64"] = c, ["a_f32"] = d },
            new Dictionary<string, string> { ["k"] = "v" });

        string header = RawSafetensors.ReadHeader(path);
        Assert.Equal(0, header.Length % 8);
        using var doc = JsonDocument.Parse(header);
        var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "__metadata__", "m_i64", "a_f32", "b_f32", "z_bf16" }, keys);
        // Offsets follow that order back to back: 8, then 8, 8, then 6 bytes.
        var ends = keys.Skip(1).Select(k => doc.RootElement.GetProperty(k).GetProperty("data_offsets")[1].GetInt64());
        Assert.Equal(new long[] { 8, 16, 24, 30 }, ends);
        Assert.Equal(8 + header.Length + 30, new FileInfo(path).Length);
    }

    [Fact]
    public void SameInputGivesSameBytesAndReplacesAtomically()
    {
        using var tmp = new TempFolder();
        string p1 = tmp.File("one.safetensors"), p2 = tmp.File("two.safetensors");
        using var x = randn(4, 5, generator: new Generator(3));
        SafetensorsWriter.Write(p1, new Dictionary<string, Tensor> { ["x"] = x });
        SafetensorsWriter.Write(p2, new Dictionary<string, Tensor> { ["x"] = x });
        Assert.Equal(File.ReadAllBytes(p1), File.ReadAllBytes(p2));

        // Overwriting keeps one file and leaves no temporary behind.
        using var y = zeros(1);
        SafetensorsWriter.Write(p1, new Dictionary<string, Tensor> { ["y"] = y });
        Assert.Equal(new[] { "one.safetensors", "two.safetensors" },
            Directory.GetFiles(tmp.Path).Select(Path.GetFileName).Order().ToArray());
        using var file = SafetensorsFile.Open(p1);
        Assert.Equal(new[] { "y" }, file.Names.ToArray());
    }

    [Fact]
    public void NonContiguousTensorIsWrittenInLogicalOrder()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("t.safetensors");
        using var m = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var mt = m.t();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["mt"] = mt });
        using var file = SafetensorsFile.Open(path);
        using var back = file.Read("mt");
        Assert.Equal(new[] { 0f, 3f, 1f, 4f, 2f, 5f }, back.data<float>().ToArray());
    }

    [Fact]
    public void TrainableParameterIsWrittenAndStaysUsable()
    {
        using var tmp = new TempFolder();
        string path = tmp.File("p.safetensors");
        using var p = new TorchSharp.Modules.Parameter(arange(4, dtype: ScalarType.Float32));
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["p"] = p });
        using var file = SafetensorsFile.Open(path);
        using var back = file.Read("p");
        Assert.Equal(new[] { 0f, 1f, 2f, 3f }, back.data<float>().ToArray());
        Assert.True(p.requires_grad);
        Assert.Equal(3f, p[3].item<float>());   // the caller's tensor is not disposed
    }
}
