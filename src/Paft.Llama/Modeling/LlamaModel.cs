using Paft.Llama.Inference;
using Paft.Llama.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// The decoder stack: token embedding, the layers, the final norm. Computes Hugging Face's position
/// ids (cumsum of the attention mask − 1, padding at 1) and the attention mask for each step.
/// </summary>
internal sealed class LlamaModel : nn.Module<Tensor, Tensor>
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

    public override Tensor forward(Tensor inputIds) => Forward(inputIds, null, null);

    /// <summary>
    /// inputIds [B, T] → final hidden states [B, T, hidden]. <paramref name="attentionMask"/> [B, T]
    /// (1 real, 0 padding) covers the new tokens only; the cache remembers the mask of earlier ones.
    /// </summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        long b = inputIds.shape[0], t = inputIds.shape[1];
        var device = inputIds.device;
        var newMask = attentionMask is null ? ones(b, t, ScalarType.Bool, device) : attentionMask.to(ScalarType.Bool);
        bool newPadding = attentionMask is not null && !newMask.all().item<bool>();

        long past = 0;
        Tensor realBefore, keyMask;
        bool hasPadding = newPadding;
        if (cache is null)
        {
            realBefore = zeros(b, ScalarType.Int64, device);
            keyMask = newMask;
        }
        else
        {
            past = cache.Length;
            cache.Reserve(b, past + t, _config, _dtype, device);
            realBefore = cache.RealTokenCounts;
            keyMask = cat([cache.KeyMaskSoFar(), newMask], 1);
            hasPadding |= cache.HasPadding;
        }

        // Hugging Face's position ids: count real tokens; padding positions get 1.
        var positions = (realBefore.unsqueeze(1).add(newMask.to(ScalarType.Int64).cumsum(1), HeldScalars.One) - HeldScalars.One)
            .masked_fill(newMask.logical_not(), HeldScalars.One);
        var (cos, sin) = _rotary.CosSin(positions, _dtype);
        using var mask = AttentionMask.Create(keyMask, past, t, hasPadding, _dtype);

        var h = embed_tokens.call(inputIds);
        bool checkpoint = GradientCheckpointing && cache is null && is_grad_enabled();
        foreach (var layer in layers)
            h = checkpoint ? CheckpointedDecoderLayer.Apply(layer, h, cos, sin, mask) : layer.Forward(h, cos, sin, mask, cache);
        cache?.Commit(newMask, newPadding);
        return norm.call(h).MoveToOuterDisposeScope();
    }
}
