using Paft.Llama.Lora;
using Paft.Llama.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Lora;

public class PeftAdapterTensorsTests
{
    private static (ToyCausalLM Model, LoraAdapterSet Lora) Trained(long seed)
    {
        var model = new ToyCausalLM();
        var lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 2 }, seed);
        using var g = new Generator((ulong)seed);
        using (no_grad())
            foreach (var pair in lora.Adapters)
                pair.Value.lora_B.copy_(randn(pair.Value.lora_B.shape, generator: g));
        return (model, lora);
    }

    [Fact]
    public void KeysFollowPeftNaming()
    {
        var (_, lora) = Trained(1);
        var tensors = PeftAdapterTensors.From(lora);
        Assert.Equal(
            new[] { "base_model.model.q_proj.lora_A.weight", "base_model.model.q_proj.lora_B.weight", "base_model.model.v_proj.lora_A.weight", "base_model.model.v_proj.lora_B.weight" },
            tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new long[] { 2, 8 }, tensors["base_model.model.q_proj.lora_A.weight"].shape);
        Assert.Equal(new long[] { 8, 2 }, tensors["base_model.model.q_proj.lora_B.weight"].shape);
        Assert.Equal("base_model.model.model.layers.3.self_attn.q_proj.lora_B.weight", PeftAdapterTensors.KeyOfB("model.layers.3.self_attn.q_proj"));
    }

    [Fact]
    public void CopyingIntoAnotherModelReproducesOutputsExactly()
    {
        var (m1, l1) = Trained(1);
        var (m2, l2) = Trained(2);
        using var ids = tensor(new long[] { 1, 3, 5, 7, 9, 2 }, 2, 3);
        using var mask = ones_like(ids);
        Tensor expected = m1.forward(ids, mask);
        Assert.False(TensorBits.Same(expected, m2.forward(ids, mask)));

        PeftAdapterTensors.CopyInto(l2, PeftAdapterTensors.From(l1), "memory");
        Assert.True(TensorBits.Same(expected, m2.forward(ids, mask)));
    }

    [Fact]
    public void UnknownMissingAndMisshapenTensorsAreErrorsNamingTheKey()
    {
        var (_, lora) = Trained(1);

        var extra = PeftAdapterTensors.From(lora);
        extra["base_model.model.lm_head.lora_A.weight"] = zeros(2, 8);
        var e1 = Assert.Throws<InvalidDataException>(() => PeftAdapterTensors.CopyInto(lora, extra, "a.safetensors"));
        Assert.Contains("'a.safetensors'", e1.Message);
        Assert.Contains("unexpected tensor 'base_model.model.lm_head.lora_A.weight'", e1.Message);

        var missing = PeftAdapterTensors.From(lora);
        missing.Remove("base_model.model.v_proj.lora_B.weight");
        var e2 = Assert.Throws<InvalidDataException>(() => PeftAdapterTensors.CopyInto(lora, missing, "b.safetensors"));
        Assert.Contains("missing tensor 'base_model.model.v_proj.lora_B.weight'", e2.Message);

        var misshapen = PeftAdapterTensors.From(lora);
        misshapen["base_model.model.q_proj.lora_A.weight"] = zeros(3, 8);
        var e3 = Assert.Throws<InvalidDataException>(() => PeftAdapterTensors.CopyInto(lora, misshapen, "c.safetensors"));
        Assert.Contains("'base_model.model.q_proj.lora_A.weight' has shape [3, 8]; the model needs [2, 8]", e3.Message);
    }
}
