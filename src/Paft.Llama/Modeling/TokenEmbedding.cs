using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// Token id → vector lookup, [vocab, hidden]. It can share its <c>weight</c> with <c>lm_head</c>
/// (tied embeddings), which is why it takes the parameter rather than making its own.
/// </summary>
internal sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    /// <summary>The embedding matrix, [vocab, hidden].</summary>
    public Parameter weight;

    public TokenEmbedding(Parameter weight) : base(nameof(TokenEmbedding))
    {
        this.weight = weight;
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids)
    {
        using var flat = ids.reshape(-1);
        using var rows = weight.index_select(0, flat);
        return rows.reshape([.. ids.shape, weight.shape[1]]);
    }
}
