using Paft.Llama.Checkpoints;
using Paft.Llama.Modeling;
using Paft.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Modeling;

public class LlamaForCausalLMTests
{
    [SharedTheory]
    [InlineData("stories260K")]
    [InlineData("tiny-llama2-sharded")]
    [InlineData("tiny-llama3-bf16")]
    public void ParametersAreNamedExactlyLikeTheCheckpointAndTrainable(string name)
    {
        using var model = LlamaForCausalLM.FromPretrained(Fixtures.Model(name));
        var stored = new HashSet<string>();
        foreach (var f in Directory.GetFiles(Fixtures.Model(name), "model*.safetensors"))
        {
            using var file = SafetensorsFile.Open(f);
            stored.UnionWith(file.Names);
        }
        var parameters = model.named_parameters().ToList();
        Assert.Equal(stored.Order(), parameters.Select(p => p.name).Order());
        Assert.All(parameters, p => Assert.True(p.parameter.requires_grad, p.name));
        Assert.Equal(parameters.Count, model.parameters().Count());
    }

    [Fact]
    public void TiedLmHeadSharesTheEmbeddingParameter()
    {
        using var model = RandomModels.Create(RandomModels.TiedWithBias);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("model.embed_tokens.weight", names);
        Assert.DoesNotContain("lm_head.weight", names);
        Assert.Contains("model.layers.1.self_attn.q_proj.bias", names);
        Assert.Contains("model.layers.0.mlp.down_proj.bias", names);

        // Changing the embedding changes lm_head: they are one tensor.
        using (no_grad()) model.get_parameter("model.embed_tokens.weight")!.fill_(0.5);
        Assert.Equal(0.5f, model.lm_head.weight[3, 4].item<float>());
    }

    [Fact]
    public void UntiedModelListsLmHead()
    {
        using var model = RandomModels.Create();
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Contains("lm_head.weight", names);
        Assert.Equal(new long[] { 97, 32 }, model.get_parameter("lm_head.weight")!.shape);
        Assert.Equal(new long[] { 48, 32 }, model.get_parameter("model.layers.0.self_attn.q_proj.weight")!.shape);  // 4 heads x head_dim 12
        Assert.Equal(new long[] { 24, 32 }, model.get_parameter("model.layers.0.self_attn.k_proj.weight")!.shape);  // 2 kv heads
        Assert.Equal(new long[] { 32, 48 }, model.get_parameter("model.layers.0.self_attn.o_proj.weight")!.shape);
    }

    [Fact]
    public void CudaRequestWithoutCudaSaysHowToBuildIt()
    {
        if (cuda.is_available()) return; // the error only exists on CPU-only builds
        var config = LlamaConfig.FromJson(RandomModels.Gqa);
        var e = Assert.Throws<InvalidOperationException>(() => new LlamaForCausalLM(config, device: new Device(DeviceType.CUDA)));
        Assert.Contains("TorchSharp-cpu", e.Message);
        Assert.Contains("-p:PaftCuda=true", e.Message);
    }

    [Fact]
    public void UnsupportedComputeDtypeIsRefused()
    {
        var config = LlamaConfig.FromJson(RandomModels.Gqa);
        var e = Assert.Throws<ArgumentException>(() => new LlamaForCausalLM(config, ScalarType.Int32));
        Assert.Contains("Int32", e.Message);
    }

    [Fact]
    public void Bf16ComputeStaysCloseToFp32()
    {
        // The same bf16-representable weights in both dtypes, so only compute precision differs.
        using var fp32 = RandomModels.Create(std: 0.1);
        using var bf16 = new LlamaForCausalLM(fp32.Config, ScalarType.BFloat16);
        using (no_grad())
        {
            var target = bf16.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, p) in fp32.named_parameters())
            {
                p.copy_(p.to(ScalarType.BFloat16).to(ScalarType.Float32));
                target[name].copy_(p);
            }
        }
        var ids = RandomModels.Ids(24, 97, seed: 3).Select(i => (long)i).ToArray();
        using var input = tensor(ids, [1, 24], ScalarType.Int64);
        using var noGrad = no_grad();
        using var a = fp32.forward(input);
        using var b = bf16.forward(input);
        Assert.Equal(ScalarType.Float32, b.dtype);
        // bf16 keeps 8 significant bits (relative step 2^-8 ≈ 0.4%); through two layers of matmuls,
        // norms and softmax the error stays a few such steps of the logits' scale.
        double scale = a.abs().max().item<float>();
        double diff = Fixtures.MaxAbsDiff(a, b);
        Assert.True(diff < 0.03 * scale, $"max |diff| {diff} vs logit scale {scale}");
        // ...and the predicted tokens agree almost everywhere.
        using var agree = a.argmax(-1).eq(b.argmax(-1)).to(ScalarType.Float32).mean();
        Assert.True(agree.item<float>() >= 0.9f, $"argmax agreement {agree.item<float>()}");
    }

    [Fact]
    public void OutOfVocabularyIdIsNamed()
    {
        using var model = RandomModels.Create();
        using var ids = tensor(new long[] { 1, 97 }, [1, 2], ScalarType.Int64);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.forward(ids));
        Assert.Contains("[0, 97)", e.Message);
        Assert.Contains("found 97", e.Message);
    }
}
