using Microsoft.ML;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;

namespace Paft.MLNet;

/// <summary>
/// The ZOPO baseline: in <c>Fit</c> a template of the pool is chosen by zeroth-order search (ZOPO, Hu et al., NeurIPS
/// 2024, "Localized Zeroth-Order Prompt Optimization"), then fine-tuned on. The templates are embedded by
/// <see cref="ZopoTrainerOptions.Embedder"/>, by default as the BASE model's mean-pooled final hidden states
/// (<see cref="HiddenStateEmbedder"/>); a Gaussian process over those embeddings guides a local search, and each template it
/// evaluates is measured as the base model's accuracy on the selection data in <see cref="PaftTrainerOptions.Scoring"/>
/// (prompts fitted to <see cref="PaftTrainerOptions.MaxLength"/>, as the fine-tuned model will see them). At most
/// <see cref="ZopoOptions.Budget"/> templates are evaluated, unlike TopAccuracy, which evaluates them all. With the same
/// seed, the search's random picks are the same whatever the embedder: the trace differs only where the embedding guides it.
/// The search is on the fitted model's <see cref="PaftTrainingInfo.Selection"/> (<see cref="TemplateSelection.Zopo"/>).
/// </summary>
public sealed class ZopoTrainer : TemplateSelectionTrainer
{
    private readonly ZopoTrainerOptions _options;

    /// <summary>Creates the trainer; invalid options or search settings throw here. Nothing is loaded or read until <c>Fit</c>.</summary>
    public ZopoTrainer(MLContext mlContext, ZopoTrainerOptions options) : base(mlContext, options) => _options = options;

    /// <exception cref="InvalidOperationException">The embedder failed (e.g. the embedding service's request or reply).</exception>
    private protected override (PromptTemplate, TemplateSelection) Select(PaftTrainerOptions options,
        IReadOnlyList<TaskExample> validation, CancellationToken cancellationToken)
    {
        ZopoOptions settings = _options.SearchOrDefault;
        ITemplateEmbedder? embedder = _options.Embedder;
        PromptPool pool = PromptPool.FromTemplates(options.TrainingTemplates);
        double[][]? points = embedder is null ? null : new ZopoTemplateSelector(settings, embedder).Embed(pool);
        ZopoResult result;
        using (BaseModelTemplateScorer scorer = BaseModelTemplateScorer.Load(options))
        {
            var selector = new ZopoTemplateSelector(settings, embedder ?? scorer.Embedder);
            Func<PromptTemplate, double> accuracy = template =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return scorer.Accuracy(template, validation);
            };
            result = points is null ? selector.Select(pool, accuracy) : selector.Select(pool, points, accuracy);
        }
        return (result.Best, new TemplateSelection(TemplateSelectionMethod.Zopo, result.Best.Id, result.BestAccuracy, result.Trace.Count) { Zopo = result });
    }
}
