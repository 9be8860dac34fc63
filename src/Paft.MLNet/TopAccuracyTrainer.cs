using Microsoft.ML;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;

namespace Paft.MLNet;

/// <summary>
/// The paper's TopAccuracy baseline: the pool template on which the BASE model is most accurate over
/// <see cref="TemplateSelectionTrainerOptions.SelectionData"/> (the first of the best in pool order) is chosen in
/// <c>Fit</c>, then fine-tuned on. Every template of the pool is scored.
/// </summary>
public sealed class TopAccuracyTrainer : TemplateSelectionTrainer
{
    /// <summary>Creates the trainer; invalid options throw here. Nothing is loaded or read until <c>Fit</c>.</summary>
    public TopAccuracyTrainer(MLContext mlContext, TemplateSelectionTrainerOptions options) : base(mlContext, options)
    {
    }

    private protected override (PromptTemplate, TemplateSelection) Select(PaftTrainerOptions options,
        IReadOnlyList<TaskExample> validation, CancellationToken cancellationToken)
    {
        PromptTemplate template = options.TrainingTemplates[0];
        double bestAccuracy = double.NegativeInfinity;
        // The same base-model scoring as the ZOPO and BATprompt baselines, loaded once and released here.
        using (BaseModelTemplateScorer scorer = BaseModelTemplateScorer.Load(options))
            foreach (PromptTemplate candidate in options.TrainingTemplates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double accuracy = scorer.Accuracy(candidate, validation);
                if (accuracy > bestAccuracy) // strictly: the first of the best in pool order
                    (template, bestAccuracy) = (candidate, accuracy);
            }
        return (template, new TemplateSelection(TemplateSelectionMethod.TopAccuracy, template.Id, bestAccuracy, options.TrainingTemplates.Count));
    }
}
