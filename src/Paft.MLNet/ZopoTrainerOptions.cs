using Paft.MLNet.Selection;

namespace Paft.MLNet;

/// <summary>Options of <see cref="ZopoTrainer"/>: the selection data and pool, and ZOPO's search settings.</summary>
public sealed class ZopoTrainerOptions : TemplateSelectionTrainerOptions
{
    /// <summary>Search settings; null uses <see cref="ZopoOptions"/>' defaults with the trainer's <see cref="PaftTrainerOptions.Seed"/>.</summary>
    public ZopoOptions? Search { get; set; }

    /// <summary>
    /// Embeds the templates; null (default) uses the base model's mean-pooled final hidden states. The caller keeps
    /// ownership of it. A given embedder embeds the pool before the base model is loaded, so a failing embedding service
    /// costs no checkpoint load.
    /// </summary>
    public ITemplateEmbedder? Embedder { get; set; }

    internal ZopoOptions SearchOrDefault => Search ?? new ZopoOptions { Seed = Trainer.Seed };

    internal override void Validate()
    {
        base.Validate();
        SearchOrDefault.Validate();
    }
}
