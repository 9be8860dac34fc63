using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.MLNet.Selection;

/// <summary>
/// Embeds a template as the mean of the base model's final hidden states over the template's tokens
/// (the ZOPO paper's choice: the model's own view of the prompt), L2-normalised so the Gaussian process
/// compares directions. Placeholders are embedded as written (<c>{ctx}</c>), so the embedding depends on
/// the template's wording and layout only, not on any example.
/// </summary>
public sealed class HiddenStateEmbedder : ITemplateEmbedder
{
    private readonly LlamaForCausalLM _model;
    private readonly ILlamaTokenizer _tokenizer;

    /// <summary>Embeds with <paramref name="model"/> and its <paramref name="tokenizer"/>.</summary>
    public HiddenStateEmbedder(LlamaForCausalLM model, ILlamaTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _model = model;
        _tokenizer = tokenizer;
    }

    /// <summary>Loads the base model and tokenizer from a Hugging Face folder.</summary>
    public static HiddenStateEmbedder FromPretrained(string modelDir, string? tokenizerFile = null) =>
        new(LlamaForCausalLM.FromPretrained(modelDir), TokenizerLoader.Load(modelDir, tokenizerFile));

    /// <inheritdoc />
    public float[] Embed(string templateText)
    {
        ArgumentNullException.ThrowIfNull(templateText);
        IReadOnlyList<int> ids = _tokenizer.Encode(templateText, addBos: true);
        // Checked here, on the host: the model's internal forward does not read ids back from the device.
        foreach (int id in ids)
            if ((uint)id >= (uint)_model.Config.VocabSize)
                throw new InvalidOperationException($"The tokenizer gave id {id}, outside the model's vocabulary [0, {_model.Config.VocabSize}): it is not this model's tokenizer.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        bool wasTraining = _model.training;
        _model.eval();
        try
        {
            Tensor input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count], device: _model.Device);
            Tensor hidden = _model.ForwardHidden(input, null, null).to(ScalarType.Float32); // [1, T, H]
            Tensor mean = hidden[0].mean([0]);                                              // [H]
            using Scalar floor = 1e-12.ToScalar(); // held to the end: an implicit Scalar's finalizer can race libtorch (Paft.Llama's HeldScalars)
            Tensor unit = mean / mean.norm().clamp_min(floor);
            return unit.cpu().data<float>().ToArray();
        }
        finally
        {
            _model.train(wasTraining);
        }
    }
}
