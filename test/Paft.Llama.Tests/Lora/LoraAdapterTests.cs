using Paft.Llama.Lora;
using Paft.Llama.Modules;
using Paft.Llama.Tests.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Lora;

public class LoraAdapterTests
{
    private static Tensor Ids() => tensor(new long[] { 1, 4, 7, 2, 0, 10 }, 2, 3);

    [Fact]
    public void FreshAdapterLeavesOutputsBitIdentical()
    {
        using var model = new ToyCausalLM();
        using var ids = Ids();
        using var mask = ones_like(ids);
        using Tensor before = model.forward(ids, mask);

        LoraAdapterSet lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 4, Alpha = 8 }, seed: 3);
        using Tensor after = model.forward(ids, mask);

        Assert.Equal(2, lora.Adapters.Count);
        Assert.True(TensorBits.Same(before, after));
    }

    [Fact]
    public void ApplyFreezesEveryBaseParameterAndTrainsOnlyAdapters()
    {
        using var model = new ToyCausalLM();
        LoraAdapterSet lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 2 }, seed: 3);

        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToHashSet();
        Assert.Equal(
            new HashSet<string> { "q_proj.adapter.lora_A", "q_proj.adapter.lora_B", "v_proj.adapter.lora_A", "v_proj.adapter.lora_B" },
            trainable);
        Assert.Equal(
            new[] { "q_proj.lora_A", "q_proj.lora_B", "v_proj.lora_A", "v_proj.lora_B" },
            lora.NamedParameters().Select(p => p.Name).ToArray());
    }

    [Fact]
    public void OneOptimizerStepChangesOnlyAdapterTensors()
    {
        using var model = new ToyCausalLM();
        var baseBefore = model.Snapshot();
        LoraAdapterSet lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 2 }, seed: 3);
        var adapterBefore = lora.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.detach().clone());

        using var optimizer = optim.AdamW(lora.NamedParameters().Select(p => p.Parameter), lr: 0.1, weight_decay: 0.1);
        using var ids = Ids();
        using Tensor logits = model.forward(ids, ones_like(ids));
        using Tensor loss = nn.functional.cross_entropy(logits.reshape(-1, 11), ids.reshape(-1));
        loss.backward();
        optimizer.step();

        foreach ((string name, Parameter p) in model.named_parameters())
        {
            if (name.Contains(".adapter.")) continue;
            Assert.True(TensorBits.Same(baseBefore[name], p), $"base parameter {name} changed");
            Assert.Null(p.grad);
        }
        // Both A and B move: B from its gradient, A from weight decay (its gradient is zero while B = 0).
        foreach ((string name, Parameter p) in lora.NamedParameters())
            Assert.False(TensorBits.Same(adapterBefore[name], p), $"adapter tensor {name} did not change");
    }

    [Fact]
    public void InitialisationIsKaimingUniformForAAndZeroForBAndSeeded()
    {
        using var m1 = new ToyCausalLM(dim: 64);
        using var m2 = new ToyCausalLM(dim: 64);
        using var m3 = new ToyCausalLM(dim: 64);
        var l1 = LoraAdapterSet.Apply(m1, new LoraConfig { Rank = 8 }, seed: 5);
        var l2 = LoraAdapterSet.Apply(m2, new LoraConfig { Rank = 8 }, seed: 5);
        var l3 = LoraAdapterSet.Apply(m3, new LoraConfig { Rank = 8 }, seed: 6);

        LoraAdapter a = l1.Adapters[0].Value;
        double bound = 1.0 / Math.Sqrt(64);
        Assert.Equal(new long[] { 8, 64 }, a.lora_A.shape);
        Assert.Equal(new long[] { 64, 8 }, a.lora_B.shape);
        Assert.True(a.lora_A.abs().max().item<float>() <= bound);
        // Uniform on [-b, b] has standard deviation b/√3; 512 draws land within a few percent.
        Assert.InRange(a.lora_A.std().item<float>(), 0.9 * bound / Math.Sqrt(3), 1.1 * bound / Math.Sqrt(3));
        Assert.Equal(0, a.lora_B.count_nonzero().item<long>());
        Assert.True(TensorBits.Same(l1.Adapters[1].Value.lora_A, l2.Adapters[1].Value.lora_A));
        Assert.False(TensorBits.Same(l1.Adapters[0].Value.lora_A, l1.Adapters[1].Value.lora_A));
        Assert.False(TensorBits.Same(l1.Adapters[0].Value.lora_A, l3.Adapters[0].Value.lora_A));
    }

    [Fact]
    public void GradientsOfAAndBMatchCentralFiniteDifferencesInFloat64()
    {
        var layer = new AdaptableLinear(3, 4, hasBias: true, ScalarType.Float64, CPU);
        using var g = new Generator(11);
        using (no_grad())
        {
            layer.weight.copy_(randn(4, 3, ScalarType.Float64, generator: g));
            layer.bias!.copy_(randn(4, ScalarType.Float64, generator: g));
        }
        var lora = LoraAdapterSet.Apply(layer, new LoraConfig { Rank = 2, Alpha = 3, TargetModulesRegex = ".*" }, seed: 2);
        LoraAdapter adapter = lora.Adapters[0].Value;
        Assert.Equal(ScalarType.Float64, adapter.lora_A.dtype);
        using (no_grad())
            adapter.lora_B.copy_(randn(4, 2, ScalarType.Float64, generator: g));

        Tensor x = randn(new long[] { 5, 3 }, ScalarType.Float64, generator: g);
        Tensor r = randn(new long[] { 5, 4 }, ScalarType.Float64, generator: g);
        double Loss() { using (no_grad()) return (layer.forward(x) * r).sum().item<double>(); }

        Tensor loss = (layer.forward(x) * r).sum();
        loss.backward();

        const double h = 1e-6;
        foreach (Parameter p in new[] { adapter.lora_A, adapter.lora_B })
        {
            double[] analytic = p.grad!.data<double>().ToArray();
            Tensor flat = p.detach().view(-1);
            for (int i = 0; i < flat.shape[0]; i++)
            {
                double original = flat[i].item<double>();
                flat[i] = original + h;
                double up = Loss();
                flat[i] = original - h;
                double down = Loss();
                flat[i] = original;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                    $"element {i}: autograd {analytic[i]}, finite difference {numeric}");
            }
        }
    }

    [Fact]
    public void MergedOutputsEqualUnmergedAndUnmergeRestoresTheWeight()
    {
        using var model = new ToyCausalLM(dim: 16);
        var original = model.q_proj.weight.detach().clone();
        var lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 4, Alpha = 8 }, seed: 3);
        using var g = new Generator(9);
        using (no_grad())
            foreach (var pair in lora.Adapters)
                pair.Value.lora_B.copy_(randn(pair.Value.lora_B.shape, generator: g));

        using var ids = Ids();
        using var mask = ones_like(ids);
        Tensor unmerged = model.forward(ids, mask);
        Assert.True(TensorBits.Same(model.q_proj.weight, original));

        lora.Merge();
        Assert.True(lora.IsMerged);
        Tensor merged = model.forward(ids, mask);
        Tensor expectedWeight = original + lora.Adapters[0].Value.DeltaWeight();
        Assert.True(model.q_proj.weight.allclose(expectedWeight, rtol: 0, atol: 1e-6));
        Assert.True((merged - unmerged).abs().max().item<float>() <= 1e-5f);
        Assert.True(TensorBits.Same(merged, model.forward(ids, mask)));

        lora.Unmerge();
        Assert.False(lora.IsMerged);
        Assert.True((model.q_proj.weight - original).abs().max().item<float>() <= 1e-6f);
        Assert.True((model.forward(ids, mask) - unmerged).abs().max().item<float>() <= 1e-5f);
        Assert.Throws<InvalidOperationException>(() => lora.Unmerge());
    }

    [Fact]
    public void Bf16BaseTrainsFp32AdaptersAndAddsTheUpdateInFp32()
    {
        var layer = new AdaptableLinear(8, 4, hasBias: false, ScalarType.BFloat16, CPU);
        using var g = new Generator(4);
        using (no_grad())
            layer.weight.copy_(randn(4, 8, generator: g));
        var lora = LoraAdapterSet.Apply(layer, new LoraConfig { Rank = 2, Alpha = 4, TargetModulesRegex = ".*" }, seed: 1);
        LoraAdapter adapter = lora.Adapters[0].Value;
        using (no_grad())
            adapter.lora_B.copy_(randn(4, 2, generator: g));
        Assert.Equal(ScalarType.Float32, adapter.lora_A.dtype);
        Assert.Equal(ScalarType.BFloat16, layer.weight.dtype);

        Tensor x = randn(new long[] { 3, 8 }, generator: g).to(ScalarType.BFloat16);
        Tensor y = layer.forward(x);
        Assert.Equal(ScalarType.BFloat16, y.dtype);

        // By hand: base output rounded to bf16 by the bf16 matmul, plus 2 · B A x in fp32, rounded once.
        Tensor xf = x.to(ScalarType.Float32);
        Tensor baseOut = nn.functional.linear(x, layer.weight).to(ScalarType.Float32);
        Tensor expected = (baseOut + 2.0 * xf.matmul(adapter.lora_A.t()).matmul(adapter.lora_B.t())).to(ScalarType.BFloat16);
        Assert.True(TensorBits.Same(y, expected));

        y.to(ScalarType.Float32).sum().backward();
        Assert.NotNull(adapter.lora_A.grad);
        Assert.Null(layer.weight.grad);
    }

    [Fact]
    public void RemoveRestoresTheBaseModel()
    {
        using var model = new ToyCausalLM();
        using var ids = Ids();
        using var mask = ones_like(ids);
        Tensor before = model.forward(ids, mask);
        var lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 2 }, seed: 3);
        using (no_grad())
            lora.Adapters[0].Value.lora_B.fill_(0.5f);
        Assert.False(TensorBits.Same(before, model.forward(ids, mask)));

        lora.Remove();
        Assert.Null(model.q_proj.Adapter);
        Assert.DoesNotContain(model.named_parameters(), p => p.name.Contains("lora"));
        Assert.True(TensorBits.Same(before, model.forward(ids, mask)));
    }

    [Theory]
    [InlineData("model.layers.0.self_attn.q_proj", true)]
    [InlineData("model.layers.12.self_attn.v_proj", true)]
    [InlineData("q_proj", true)]
    [InlineData("model.layers.0.self_attn.k_proj", false)]
    [InlineData("model.layers.0.self_attn.xq_proj", false)]
    [InlineData("model.layers.0.self_attn.q_proj.lora_A", false)]
    public void SuffixTargetsMatchTheLastNameComponents(string name, bool expected)
    {
        Assert.Equal(expected, new LoraConfig().IsTarget(name));
    }

    [Fact]
    public void RegexTargetsMustMatchTheWholeName()
    {
        var config = new LoraConfig { TargetModulesRegex = @"model\.layers\.[01]\.self_attn\.(q|k)_proj" };
        Assert.True(config.IsTarget("model.layers.1.self_attn.k_proj"));
        Assert.False(config.IsTarget("model.layers.2.self_attn.k_proj"));
        Assert.False(config.IsTarget("x.model.layers.1.self_attn.k_proj"));
    }

    [Fact]
    public void NoMatchingLayerIsAnErrorNamingTheTargets()
    {
        using var model = new ToyCausalLM();
        var ex = Assert.Throws<ArgumentException>(() => LoraAdapterSet.Apply(model, new LoraConfig { TargetModules = ["o_proj"] }));
        Assert.Contains("o_proj", ex.Message);
    }
}
