using System.Text.Json;
using Paft.Llama.Checkpoints;
using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Checkpoints;

/// <summary>The one Hugging Face folder writer: what it writes reads back as the same model.</summary>
public sealed class SavePretrainedTests
{
    private static float[] Logits(LlamaForCausalLM model, int[] ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        return model.forward(input).data<float>().ToArray();
    }

    [Fact]
    public void SavePretrained_reads_back_with_identical_logits()
    {
        using var dir = new TempFolder();
        using LlamaForCausalLM model = RandomModels.Create(RandomModels.TiedWithBias);
        int[] ids = RandomModels.Ids(9, model.Config.VocabSize, seed: 3);
        model.SavePretrained(dir.Path);

        using LlamaForCausalLM loaded = LlamaForCausalLM.FromPretrained(dir.Path);
        Assert.Equal(Logits(model, ids), Logits(loaded, ids));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, LlamaCheckpointWriter.ConfigFileName)));
        Assert.Equal("float32", config.RootElement.GetProperty("torch_dtype").GetString());
    }

    [Fact]
    public void A_copied_config_keeps_keys_the_writer_does_not_model_and_the_weights_are_rounded_once_to_bf16()
    {
        using var dir = new TempFolder();
        string source = Path.Combine(dir.Path, "source-config.json");
        File.WriteAllText(source, RandomModels.Gqa);
        using LlamaForCausalLM model = RandomModels.Create(RandomModels.Gqa);
        string output = Path.Combine(dir.Path, "out");

        int written = LlamaCheckpointWriter.Save(model, output, ScalarType.BFloat16, configSource: source);

        Assert.Equal(model.named_parameters().Count(), written);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, LlamaCheckpointWriter.ConfigFileName)));
        Assert.Equal("bfloat16", config.RootElement.GetProperty("torch_dtype").GetString());
        Assert.Equal("llama3", config.RootElement.GetProperty("rope_scaling").GetProperty("rope_type").GetString());
        using LlamaForCausalLM loaded = LlamaForCausalLM.FromPretrained(output);
        var expected = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var scope = NewDisposeScope();
        foreach (var (name, parameter) in loaded.named_parameters())
        {
            Tensor rounded = expected[name].detach().to(ScalarType.BFloat16).to(ScalarType.Float32);
            Assert.True(rounded.equal(parameter.detach()).all().item<bool>(), $"{name} is not the bf16 rounding of the model's weight");
        }
    }
}
