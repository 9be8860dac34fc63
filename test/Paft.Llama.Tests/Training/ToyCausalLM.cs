using Paft.Llama.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Tests.Training;

/// <summary>
/// A tiny causal-LM-shaped model for tests that need no checkpoint: an embedding, two residual
/// <see cref="AdaptableLinear"/> layers named like LLaMA's (<c>q_proj</c>, <c>v_proj</c>) and an
/// untied <c>lm_head</c>. Each position's logits depend on its own token only, which is enough for the
/// loop, masking, determinism and checkpoint tests. Weights come from a seeded generator.
/// </summary>
internal sealed class ToyCausalLM : nn.Module<Tensor, Tensor, Tensor>
{
    public Embedding embed_tokens;
    public AdaptableLinear q_proj;
    public AdaptableLinear v_proj;
    public AdaptableLinear lm_head;

    public ToyCausalLM(int vocab = 11, int dim = 8, long seed = 1, ScalarType dtype = ScalarType.Float32)
        : base(nameof(ToyCausalLM))
    {
        embed_tokens = nn.Embedding(vocab, dim, dtype: dtype);
        q_proj = new AdaptableLinear(dim, dim, hasBias: true, dtype, CPU);
        v_proj = new AdaptableLinear(dim, dim, hasBias: false, dtype, CPU);
        lm_head = new AdaptableLinear(dim, vocab, hasBias: false, dtype, CPU);
        RegisterComponents();

        using var g = new Generator((ulong)seed);
        using (no_grad())
        {
            foreach (Parameter p in parameters())
                p.copy_(randn(p.shape, ScalarType.Float32, generator: g).mul_(0.5));
        }
    }

    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        Tensor h = embed_tokens.forward(inputIds);
        h = h + q_proj.forward(h).tanh();
        h = h + v_proj.forward(h);
        return lm_head.forward(h);
    }

    /// <summary>Every parameter's values, copied, by name.</summary>
    public Dictionary<string, Tensor> Snapshot()
    {
        var copy = new Dictionary<string, Tensor>();
        foreach ((string name, Parameter p) in named_parameters())
            copy[name] = p.detach().clone();
        return copy;
    }
}
