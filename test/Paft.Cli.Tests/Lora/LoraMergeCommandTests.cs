using System.Text.Json;
using Paft.Cli.Tests.Prompts;
using Paft.Llama.Checkpoints;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Tests.Common;
using static TorchSharp.torch;

namespace Paft.Cli.Tests.Lora;

public sealed class LoraMergeCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Adapter => SharedData.Path("fixtures", "lora", "tiny-llama3-bf16-adapter");

    /// <summary>
    /// A base model folder in the temp folder: the tiny Llama 3's config and weights (tied embeddings) plus
    /// tokenizer and licence files, whose bytes the merged folder must carry over unchanged.
    /// </summary>
    private string MakeBase()
    {
        string source = SharedData.Path("fixtures", "llama", "tiny-llama3-bf16");
        string folder = Path.Combine(_temp.Path, "base");
        Directory.CreateDirectory(Path.Combine(folder, "original"));
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(folder, "config.json"));
        File.Copy(Path.Combine(source, "model.safetensors"), Path.Combine(folder, "model.safetensors"));
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), "{\"model\": {\"type\": \"BPE\"}}");
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), "{\"temperature\": 0.6}");
        File.WriteAllText(Path.Combine(folder, "original", "tokenizer.model"), "dGVzdA== 0\n");
        File.WriteAllText(Path.Combine(folder, "LICENSE"), "licence text");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a model file");
        return folder;
    }

    private static float[] Logits(LlamaForCausalLM model)
    {
        using var noGrad = no_grad();
        using Tensor ids = tensor(new long[] { 1, 17, 250, 3, 99, 42, 7, 300, 5 }, ScalarType.Int64).unsqueeze(0);
        using Tensor logits = model.forward(ids);
        return logits.data<float>().ToArray();
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }

    [SharedFact]
    public void Merged_fp32_checkpoint_gives_the_logits_of_base_plus_adapter()
    {
        string baseDir = MakeBase();
        string outDir = Path.Combine(_temp.Path, "merged");

        CliRunner.Result result = CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", Adapter, "--out", outDir, "--dtype", "fp32");
        Assert.Equal((0, ""), (result.ExitCode, result.Error));

        float[] expected;
        using (LlamaForCausalLM withAdapter = LlamaForCausalLM.FromPretrained(baseDir))
        {
            PeftAdapter.Load(withAdapter, Adapter);
            expected = Logits(withAdapter);
        }
        float[] baseLogits;
        using (LlamaForCausalLM plain = LlamaForCausalLM.FromPretrained(baseDir))
            baseLogits = Logits(plain);
        using LlamaForCausalLM merged = LlamaForCausalLM.FromPretrained(outDir);
        Assert.True(MaxDifference(expected, baseLogits) > 1e-3, "the adapter should change the logits, or the test proves nothing");
        Assert.True(MaxDifference(expected, Logits(merged)) <= 1e-5);

        // Hugging Face layout: the base's keys exactly (tied embeddings: no lm_head.weight), float32.
        using (SafetensorsFile written = SafetensorsFile.Open(Path.Combine(outDir, "model.safetensors")))
        using (SafetensorsFile original = SafetensorsFile.Open(Path.Combine(baseDir, "model.safetensors")))
        {
            Assert.Equal(original.Names.Order(StringComparer.Ordinal), written.Names.Order(StringComparer.Ordinal));
            Assert.DoesNotContain("lm_head.weight", written.Names);
            Assert.All(written.Tensors, t => Assert.Equal("F32", t.DType));
            Assert.Equal("pt", written.Metadata["format"]);
        }
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json")));
        Assert.Equal("float32", config.RootElement.GetProperty("torch_dtype").GetString());
        Assert.True(config.RootElement.GetProperty("tie_word_embeddings").GetBoolean());
        Assert.Equal("llama3", config.RootElement.GetProperty("rope_scaling").GetProperty("rope_type").GetString());

        foreach (string name in new[] { "tokenizer_config.json", "tokenizer.json", "generation_config.json", Path.Combine("original", "tokenizer.model"), "LICENSE" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(baseDir, name)), File.ReadAllBytes(Path.Combine(outDir, name)));
        Assert.False(File.Exists(Path.Combine(outDir, "notes.txt")));
        Assert.Contains("Copied tokenizer.json, tokenizer_config.json, generation_config.json", result.Output);
        // Nothing but the base, the output and no leftover temporary folder.
        Assert.Equal(["base", "merged"], Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order());
    }

    [SharedFact]
    public void Default_dtype_follows_the_base_and_bf16_is_the_fp32_merge_rounded_once()
    {
        string baseDir = MakeBase();
        string fp32Dir = Path.Combine(_temp.Path, "fp32");
        string bf16Dir = Path.Combine(_temp.Path, "bf16");
        Assert.Equal(0, CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", Adapter, "--out", fp32Dir, "--dtype", "fp32").ExitCode);
        // The base's config says bfloat16, so that is the default.
        CliRunner.Result result = CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", Adapter, "--out", bf16Dir);
        Assert.Equal((0, ""), (result.ExitCode, result.Error));

        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(bf16Dir, "config.json")));
        Assert.Equal("bfloat16", config.RootElement.GetProperty("torch_dtype").GetString());
        using SafetensorsFile bf16 = SafetensorsFile.Open(Path.Combine(bf16Dir, "model.safetensors"));
        using SafetensorsFile fp32 = SafetensorsFile.Open(Path.Combine(fp32Dir, "model.safetensors"));
        foreach (string name in fp32.Names)
        {
            Assert.Equal("BF16", bf16.Info(name).DType);
            using Tensor rounded = fp32.Read(name).to(ScalarType.BFloat16);
            using Tensor stored = bf16.Read(name);
            Assert.True(rounded.equal(stored).all().item<bool>(), $"{name}: the bf16 file is not the fp32 merge rounded to bf16");
        }
    }

    [SharedFact]
    public void Refuses_a_non_empty_output_folder_unless_forced()
    {
        string baseDir = MakeBase();
        string outDir = Path.Combine(_temp.Path, "merged");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "keep.txt"), "precious");

        CliRunner.Result refused = CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", Adapter, "--out", outDir);
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"error: --out '{outDir}' is not empty; choose another folder or pass --force to replace it.", refused.Error.TrimEnd());
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outDir, "keep.txt")));

        CliRunner.Result forced = CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", Adapter, "--out", outDir, "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.False(File.Exists(Path.Combine(outDir, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(outDir, "model.safetensors")));
        Assert.Equal(["base", "merged"], Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order());

        // An existing empty folder is fine without --force.
        string empty = Path.Combine(_temp.Path, "empty");
        Directory.CreateDirectory(empty);
        Assert.Equal(0, CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", Adapter, "--out", empty).ExitCode);
    }

    [SharedFact]
    public void Bad_inputs_are_named_and_leave_nothing_behind()
    {
        string baseDir = MakeBase();
        string outDir = Path.Combine(_temp.Path, "merged");
        string missing = Path.Combine(_temp.Path, "no-adapter");

        CliRunner.Result noAdapter = CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", missing, "--out", outDir);
        Assert.Equal(2, noAdapter.ExitCode);
        Assert.Contains($"adapter folder '{missing}' does not exist", noAdapter.Error);

        // An adapter whose weights do not fit the model (a rank-8 adapter file under a rank-4 config).
        string wrong = Path.Combine(_temp.Path, "wrong-adapter");
        Directory.CreateDirectory(wrong);
        File.Copy(Path.Combine(Adapter, "adapter_model.safetensors"), Path.Combine(wrong, "adapter_model.safetensors"));
        File.WriteAllText(Path.Combine(wrong, "adapter_config.json"),
            File.ReadAllText(Path.Combine(Adapter, "adapter_config.json")).Replace("\"r\": 8", "\"r\": 4"));
        CliRunner.Result misfit = CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", wrong, "--out", outDir);
        Assert.Equal(2, misfit.ExitCode);
        Assert.Contains("adapter_model.safetensors", misfit.Error);
        Assert.Single(misfit.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));

        // An adapter on lm_head, which this base ties to the embedding.
        string onHead = Path.Combine(_temp.Path, "head-adapter");
        using (LlamaForCausalLM model = LlamaForCausalLM.FromPretrained(baseDir))
            PeftAdapter.Save(LoraAdapterSet.Apply(model, new LoraConfig { TargetModules = ["lm_head"] }), onHead);
        CliRunner.Result tied = CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", onHead, "--out", outDir);
        Assert.Equal(2, tied.ExitCode);
        Assert.Contains("adapts 'lm_head', whose weight the base model ties", tied.Error);
        Directory.Delete(onHead, recursive: true);

        CliRunner.Result intoBase = CliRunner.Run("lora", "merge", "--model", baseDir, "--adapter", Adapter, "--out", baseDir, "--force");
        Assert.Equal(2, intoBase.ExitCode);
        Assert.Contains("is an input folder", intoBase.Error);

        Assert.Equal(["base", "wrong-adapter"], Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order());
    }
}
