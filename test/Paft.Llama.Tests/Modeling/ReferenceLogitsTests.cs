using Paft.Llama.Modeling;
using Paft.Tests.Common;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Modeling;

/// <summary>
/// Logits against the float64 reference of Hugging Face's LlamaForCausalLM (and run.c for stories260K).
/// An fp32 implementation lands within about 1e-4.
/// </summary>
public class ReferenceLogitsTests
{
    private const double Tolerance = 1e-4;

    [SharedTheory]
    [InlineData("tiny-llama3-bf16")]
    [InlineData("tiny-llama2-sharded")]
    public void PaddedBatchMatchesReference(string name)
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model(name));
        var expected = Fixtures.Expected(name);
        var ids = expected["input_ids"];
        var mask = expected["attention_mask"];
        Assert.True(mask.eq(0).any().item<bool>(), "the fixture's row 1 is left-padded");

        using var noGrad = no_grad();
        using var logits = model.forward(ids, mask);
        Assert.Equal(expected["logits"].shape, logits.shape);
        // Padded positions carry no expectation: compare real positions only.
        using var real = mask.to(ScalarType.Bool).unsqueeze(-1).expand_as(logits);
        using var diff = (logits - expected["logits"]).abs().masked_fill(real.logical_not(), 0);
        Assert.True(diff.max().item<float>() < Tolerance, $"max |diff| {diff.max().item<float>()}");
        Assert.False(logits.isnan().any().item<bool>(), "padding must not produce NaN");
    }

    [SharedTheory]
    [InlineData("tiny-llama3-vocab128k")]
    [InlineData("tiny-llama2-vocab32k")]
    public void RealVocabularyModelsMatchReference(string name)
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model(name));
        var expected = Fixtures.Expected(name);
        using var noGrad = no_grad();
        using var ids = expected["input_ids"].unsqueeze(0);
        using var logits = model.forward(ids);
        using var row = logits[0];
        Assert.Equal(expected["logits"].shape, row.shape);
        double diff = Fixtures.MaxAbsDiff(row, expected["logits"]);
        Assert.True(diff < Tolerance, $"max |diff| {diff}");
    }

    [SharedFact]
    public void Stories260KMatchesRunC()
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model("stories260K"));
        var expected = Fixtures.Expected("stories260K", "run_c_logits.safetensors");
        using var noGrad = no_grad();
        using var ids = expected["input_ids"].unsqueeze(0);
        using var logits = model.forward(ids);
        double diff = Fixtures.MaxAbsDiff(logits[0], expected["logits"]);
        Assert.True(diff < Tolerance, $"max |diff| {diff}");
    }

    [SharedFact]
    public void Bf16ComputeOnPaddedBatchStaysNearReference()
    {
        // The weights are stored in bf16, so only compute precision differs from the reference:
        // bf16 keeps 8 significant bits; through two layers the logits stay within a few percent
        // of their scale (measured: about 1%; the same bound as the fp32/bf16 comparison on random models).
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model("tiny-llama3-bf16"), ScalarType.BFloat16);
        var expected = Fixtures.Expected("tiny-llama3-bf16");
        var mask = expected["attention_mask"];
        using var noGrad = no_grad();
        using var logits = model.forward(expected["input_ids"], mask);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        using var real = mask.to(ScalarType.Bool).unsqueeze(-1).expand_as(logits);
        using var diff = (logits - expected["logits"]).abs().masked_fill(real.logical_not(), 0);
        double scale = expected["logits"].abs().max().item<float>();
        Assert.True(diff.max().item<float>() < 0.03 * scale, $"max |diff| {diff.max().item<float>()} vs scale {scale}");
    }
}
