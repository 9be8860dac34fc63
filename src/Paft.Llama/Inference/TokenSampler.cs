using Paft.Llama.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Inference;

/// <summary>
/// Picks the next token from logits: argmax at temperature 0, otherwise a draw from
/// softmax(logits / temperature) restricted to the top-p nucleus, using its own seeded generator so
/// results do not depend on torch's global random state.
/// </summary>
internal sealed class TokenSampler : IDisposable
{
    private readonly GenerationOptions _options;
    private readonly Generator? _generator;

    public TokenSampler(GenerationOptions options, Device device)
    {
        _options = options;
        if (options.Temperature > 0)
            _generator = new Generator(options.Seed, device);
    }

    /// <summary>logits [B, V] (float32) → token ids [B] (int64).</summary>
    public Tensor Next(Tensor logits)
    {
        if (_generator is null)
            return logits.argmax(-1);

        using var scope = NewDisposeScope();
        using Scalar temperature = _options.Temperature.ToScalar(), topP = _options.TopP.ToScalar(); // held to the end: see HeldScalars
        var probs = (logits / temperature).softmax(-1);
        if (_options.TopP < 1)
        {
            // Keep a token while the probability mass strictly before it (in descending order) is
            // below top_p; the most likely token is always kept. This is Hugging Face's TopPLogitsWarper.
            var (sorted, order) = probs.sort(-1, descending: true);
            var before = sorted.cumsum(-1) - sorted;
            var drop = before.ge(topP);
            var dropInVocabOrder = zeros_like(drop).scatter(-1, order, drop);
            probs = probs.masked_fill(dropInVocabOrder, HeldScalars.Zero);
        }
        return probs.multinomial(1, generator: _generator).squeeze(-1).MoveToOuterDisposeScope();
    }

    public void Dispose() => _generator?.Dispose();
}
