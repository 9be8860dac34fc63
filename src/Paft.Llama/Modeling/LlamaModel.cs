using Paft.Llama.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>The decoder stack: token embedding, the layers, the final norm.</summary>
internal sealed class LlamaModel : nn.Module<Tensor, Tensor?, KvCache?, Tensor>
{
    public readonly TokenEmbedding embed_tokens;
    public readonly ModuleList<LlamaDecoderLayer> layers;
    public readonly RmsNorm norm;

    private readonly LlamaConfig _config;
    private readonly RotaryEmbedding _rotary;
    private readonly ScalarType _dtype;

    /// <param name="config">The architecture.</param>
    /// <param name="embedding">The embedding matrix [vocab, hidden] (shared with lm_head when tied).</param>
    /// <param name="dtype">Compute dtype.</param>
    /// <param name="device">Device of the weights.</param>
    public LlamaModel(LlamaConfig config, Parameter embedding, ScalarType dtype, Device device) : base(nameof(LlamaModel))
    {
        _config = config;
        _dtype = dtype;
        _rotary = new RotaryEmbedding(config);
        embed_tokens = new TokenEmbedding(embedding);
        layers = new ModuleList<LlamaDecoderLayer>(
            Enumerable.Range(0, config.NumHiddenLayers).Select(i => new LlamaDecoderLayer(config, i, dtype, device)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype, device);
        RegisterComponents();
    }

    /// <summary>
    /// Recompute each decoder layer in the backward pass instead of keeping its activations (see
    /// <see cref="CheckpointedDecoderLayer"/>); applies only while gradients are recorded and no cache is used.
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>
    /// inputIds [B, T] (in the vocabulary: checked where they were made) → final hidden states
    /// [B, T, hidden]. <paramref name="attentionMask"/> [B, T] (1 real, 0 padding) covers the new
    /// tokens only; the cache remembers the mask of earlier ones.
    /// </summary>
    public override Tensor forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var step = StepContext.Create(_rotary, _config, inputIds.shape[0], inputIds.shape[1], attentionMask, cache, _dtype, inputIds.device);
        bool checkpoint = GradientCheckpointing && cache is null && is_grad_enabled();

        var h = embed_tokens.call(inputIds);
        foreach (var layer in layers)
            h = checkpoint ? CheckpointedDecoderLayer.Apply(layer, h, step) : layer.call(h, step);
        step.CommitToCache();
        return norm.call(h).MoveToOuterDisposeScope();
    }
}
