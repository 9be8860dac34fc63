using Paft.Llama.Checkpoints;
using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Checkpoints;

/// <summary>Loading Hugging Face folders that the tests write themselves, intact and broken.</summary>
public class CheckpointLoadingTests
{
    /// <summary>Writes config.json and model.safetensors of a random model, after <paramref name="edit"/> changes the tensors.</summary>
    private static LlamaForCausalLM WriteFolder(string dir, Action<Dictionary<string, Tensor>>? edit = null, ScalarType stored = ScalarType.Float32)
    {
        var model = RandomModels.Create();
        File.WriteAllText(Path.Combine(dir, "config.json"), RandomModels.Gqa);
        var tensors = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter.detach().to(stored));
        edit?.Invoke(tensors);
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return model;
    }

    [Fact]
    public void SavedWeightsLoadBackExactly()
    {
        using var tmp = new TempFolder();
        using var original = WriteFolder(tmp.Path);
        using var loaded = LlamaForCausalLM.FromPretrained(tmp.Path);
        Assert.False(loaded.training);
        var a = original.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in loaded.named_parameters())
            Assert.True(p.eq(a[name]).all().item<bool>(), name);
    }

    [Fact]
    public void Bf16StorageIsConvertedToTheComputeDtype()
    {
        using var tmp = new TempFolder();
        using var original = WriteFolder(tmp.Path, stored: ScalarType.BFloat16);
        using var fp32 = LlamaForCausalLM.FromPretrained(tmp.Path, ScalarType.Float32);
        using var bf16 = LlamaForCausalLM.FromPretrained(tmp.Path, ScalarType.BFloat16);
        var w = original.get_parameter("model.layers.0.mlp.up_proj.weight")!;
        var asFp32 = fp32.get_parameter("model.layers.0.mlp.up_proj.weight")!;
        var asBf16 = bf16.get_parameter("model.layers.0.mlp.up_proj.weight")!;
        Assert.Equal(ScalarType.Float32, asFp32.dtype);
        Assert.Equal(ScalarType.BFloat16, asBf16.dtype);
        using var rounded = w.to(ScalarType.BFloat16);
        Assert.True(asBf16.eq(rounded).all().item<bool>());
        Assert.True(asFp32.eq(rounded.to(ScalarType.Float32)).all().item<bool>());
    }

    [Fact]
    public void MissingKeyIsListedWithTheFile()
    {
        using var tmp = new TempFolder();
        using var _ = WriteFolder(tmp.Path, t => t.Remove("model.layers.1.mlp.up_proj.weight"));
        var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Contains(Path.Combine(tmp.Path, "model.safetensors"), e.Message);
        Assert.Contains("missing keys (1): model.layers.1.mlp.up_proj.weight", e.Message);
    }

    [Fact]
    public void UnexpectedKeyIsListedWithTheFile()
    {
        using var tmp = new TempFolder();
        using var _ = WriteFolder(tmp.Path, t =>
        {
            t["model.layers.2.self_attn.q_proj.weight"] = zeros(48, 32);
            t["model.layers.0.self_attn.rotary_emb.inv_freq"] = zeros(6);   // ignored, as Hugging Face does
        });
        var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Contains(Path.Combine(tmp.Path, "model.safetensors"), e.Message);
        Assert.Contains("unexpected keys (1): model.layers.2.self_attn.q_proj.weight", e.Message);
        Assert.DoesNotContain("missing", e.Message);
    }

    [Fact]
    public void WrongShapeNamesTensorFileAndBothShapes()
    {
        using var tmp = new TempFolder();
        using var _ = WriteFolder(tmp.Path, t => t["model.layers.0.self_attn.k_proj.weight"] = zeros(25, 32));
        var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Equal(
            $"tensor 'model.layers.0.self_attn.k_proj.weight' in '{Path.Combine(tmp.Path, "model.safetensors")}' has shape [25, 32] but the model's config expects [24, 32]",
            e.Message);
    }

    [Fact]
    public void TruncatedCheckpointNamesTheFile()
    {
        using var tmp = new TempFolder();
        using var _ = WriteFolder(tmp.Path);
        string file = Path.Combine(tmp.Path, "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Contains(file, e.Message);
        Assert.Contains("beyond the end", e.Message);
    }

    /// <summary>
    /// Splits model.safetensors into two shards (layer 1 in the second) and writes an index that
    /// places each tensor where <paramref name="indexedShard"/> says, which may be wrong on purpose.
    /// </summary>
    private static void Shard(string dir, Func<string, string> indexedShard)
    {
        string single = Path.Combine(dir, "model.safetensors");
        Dictionary<string, Tensor> all;
        using (var f = SafetensorsFile.Open(single)) all = f.ReadAll();
        File.Delete(single);
        foreach (var g in all.GroupBy(kv => kv.Key.Contains("layers.1") ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors"))
            SafetensorsWriter.Write(Path.Combine(dir, g.Key), g.ToDictionary(kv => kv.Key, kv => kv.Value));
        var index = new { metadata = new { }, weight_map = all.Keys.ToDictionary(k => k, indexedShard) };
        File.WriteAllText(Path.Combine(dir, CheckpointFiles.IndexFile), System.Text.Json.JsonSerializer.Serialize(index));
    }

    [Fact]
    public void ShardedCheckpointLoads()
    {
        using var tmp = new TempFolder();
        using var original = WriteFolder(tmp.Path);
        Shard(tmp.Path, k => k.Contains("layers.1") ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors");
        using var loaded = LlamaForCausalLM.FromPretrained(tmp.Path);
        var a = original.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in loaded.named_parameters())
            Assert.True(p.eq(a[name]).all().item<bool>(), name);
    }

    [Theory]
    [InlineData("../outside.safetensors")]
    [InlineData("/etc/passwd.safetensors")]
    [InlineData("sub/../../outside.safetensors")]
    public void ShardOutsideTheFolderIsRefused(string shard)
    {
        using var tmp = new TempFolder();
        using var _ = WriteFolder(tmp.Path);
        Shard(tmp.Path, k => k == "model.norm.weight" ? shard : (k.Contains("layers.1") ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors"));
        var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Contains("model.safetensors.index.json", e.Message);
        Assert.Contains($"names shard '{shard}', which is outside the model folder", e.Message);
    }

    [Fact]
    public void IndexDisagreeingWithShardsIsNamed()
    {
        using var tmp = new TempFolder();
        using var _ = WriteFolder(tmp.Path);
        // The index claims model.norm.weight is in shard 2; it is written to shard 1.
        Shard(tmp.Path, k => k == "model.norm.weight" || k.Contains("layers.1") ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors");
        var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Contains("'model.norm.weight'", e.Message);
    }

    [Fact]
    public void PickleCheckpointIsRefusedNotOpened()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("config.json"), RandomModels.Gqa);
        File.WriteAllBytes(tmp.File("pytorch_model.bin"), [0x80, 0x02, 0x63]);   // a pickle header
        var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Contains("pytorch_model.bin", e.Message);
        Assert.Contains("only safetensors checkpoints are loaded", e.Message);

        var direct = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.File("pytorch_model.bin")));
        Assert.Contains("only safetensors checkpoints are loaded", direct.Message);
    }

    [Fact]
    public void FolderWithoutWeightsSaysWhatItLookedFor()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("config.json"), RandomModels.Gqa);
        var e = Assert.Throws<FileNotFoundException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("model.safetensors.index.json", e.Message);
    }

    [Fact]
    public void UnknownRopeScalingInFolderNamesConfigFile()
    {
        using var tmp = new TempFolder();
        using var _ = WriteFolder(tmp.Path);
        File.WriteAllText(tmp.File("config.json"), RandomModels.Gqa.Replace("\"llama3\"", "\"yarn\""));
        var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Contains(tmp.File("config.json"), e.Message);
        Assert.Contains("'yarn'", e.Message);
    }

    [Fact]
    public void UnknownModelTypeInFolderNamesConfigFile()
    {
        using var tmp = new TempFolder();
        using var _ = WriteFolder(tmp.Path);
        File.WriteAllText(tmp.File("config.json"), RandomModels.Gqa.Replace("\"llama\"", "\"qwen2\""));
        var e = Assert.Throws<InvalidDataException>(() => LlamaForCausalLM.FromPretrained(tmp.Path));
        Assert.Contains(tmp.File("config.json"), e.Message);
        Assert.Contains("'qwen2'", e.Message);
    }
}
