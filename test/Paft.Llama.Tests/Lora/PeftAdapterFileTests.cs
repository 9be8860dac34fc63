using Paft.Llama.Checkpoints;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Tests.Training;
using Paft.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Lora;

public class PeftAdapterFileTests
{
    private static string AdapterFixture => SharedData.Path("fixtures", "lora", "tiny-llama3-bf16-adapter");

    [SharedFact]
    public void TheSharedPeftAdapterReproducesTheReferenceLogits()
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model("tiny-llama3-bf16"), ScalarType.Float32);
        Dictionary<string, Tensor> expected;
        using (var file = SafetensorsFile.Open(Path.Combine(AdapterFixture, "expected.safetensors")))
            expected = file.ReadAll();
        using Tensor before = model.forward(expected["input_ids"].unsqueeze(0), null);

        LoraAdapterSet lora = PeftAdapter.Load(model, AdapterFixture);
        Assert.Equal(4, lora.Adapters.Count); // q_proj and v_proj of 2 layers
        using Tensor logits = model.forward(expected["input_ids"].unsqueeze(0), null);

        Assert.True(Fixtures.MaxAbsDiff(logits[0], expected["logits"]) <= 1e-4);
        // The adapter matters: without it the logits are measurably elsewhere.
        Assert.True(Fixtures.MaxAbsDiff(before[0], expected["logits"]) > 1e-3);
    }

    [SharedFact]
    public void WriteThenReadReproducesOutputsExactly()
    {
        using var dir = new TempFolder();
        using var source = LlamaForCausalLM.FromPretrained(Fixtures.Model("tiny-llama3-bf16"), ScalarType.Float32);
        LoraAdapterSet lora = LoraAdapterSet.Apply(source, new LoraConfig { Rank = 4, Alpha = 8, TargetModules = ["q_proj", "v_proj", "o_proj"] }, seed: 7);
        using var g = new Generator(3);
        using (no_grad())
            foreach (var pair in lora.Adapters)
                pair.Value.lora_B.copy_(randn(pair.Value.lora_B.shape, generator: g).mul_(0.1));
        using var ids = tensor(new long[] { 1, 17, 42, 99, 5, 250 }, 1, 6);
        using Tensor expected = source.forward(ids, null);

        PeftAdapter.Save(lora, dir.Path, "tiny-llama3-bf16");
        Assert.Equal(new[] { "adapter_config.json", "adapter_model.safetensors" },
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using (var file = SafetensorsFile.Open(Path.Combine(dir.Path, PeftAdapter.WeightsFileName)))
        {
            Assert.Equal(12, file.Names.Count());
            Assert.Equal(new long[] { 4, 64 }, file.Info("base_model.model.model.layers.1.self_attn.o_proj.lora_A.weight").Shape); // o_proj reads heads × head_dim = 4 × 16
        }

        using var target = LlamaForCausalLM.FromPretrained(Fixtures.Model("tiny-llama3-bf16"), ScalarType.Float32);
        PeftAdapter.Load(target, dir.Path);
        using Tensor actual = target.forward(ids, null);
        Assert.True(TensorBits.Same(expected, actual));
    }

    [Fact]
    public void SavingTwiceGivesIdenticalBytesAndLoadingIsStrict()
    {
        using var dir = new TempFolder();
        using var dir2 = new TempFolder();
        var model = new ToyCausalLM();
        var lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 2 }, seed: 1);
        PeftAdapter.Save(lora, dir.Path);
        PeftAdapter.Save(lora, dir2.Path);
        foreach (string name in new[] { PeftAdapter.ConfigFileName, PeftAdapter.WeightsFileName })
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, name)), File.ReadAllBytes(Path.Combine(dir2.Path, name)));

        // A config that targets a layer the file has no tensors for: error naming the file and key; no adapters left behind.
        string config = Path.Combine(dir.Path, PeftAdapter.ConfigFileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"v_proj\"", "\"v_proj\", \"lm_head\""));
        var other = new ToyCausalLM();
        var ex = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(other, dir.Path));
        Assert.Contains(PeftAdapter.WeightsFileName, ex.Message);
        Assert.Contains("missing tensor 'base_model.model.lm_head.lora_A.weight'", ex.Message);
        Assert.Null(other.q_proj.Adapter);

        // A config that targets fewer layers than the file holds: the extra tensors are unknown keys.
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"v_proj\", \"lm_head\"", "\"lm_head\"").Replace("\"q_proj\",", ""));
        var ex2 = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(new ToyCausalLM(), dir.Path));
        Assert.Contains("unexpected tensor 'base_model.model.q_proj.lora_A.weight'", ex2.Message);
    }
}
