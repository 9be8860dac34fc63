using Microsoft.ML;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;

namespace Paft.MLNet;

/// <summary>
/// The BATprompt baseline: in <c>Fit</c> a template robust to noisy inputs is chosen (BATprompt, Shi et al., 2024,
/// "Robustness-aware Automatic Prompt Optimization"), then fine-tuned on. Every template of the pool is scored by the
/// BASE model on the selection data as given and on perturbed copies of it (character noise, and with a chat client
/// optionally synonym or paraphrase rewrites), in <see cref="PaftTrainerOptions.Scoring"/>; by default the template whose
/// accuracy drops least under the noise wins (<see cref="BatpromptOptions.Criterion"/>). With
/// <see cref="BatpromptTrainerOptions.ChatClient"/>, the chat model also writes improved templates in rounds, and the
/// chosen one may be such a template, which is not in the training pool; the fine-tuned model then trains and answers
/// with it. In the option-text scoring modes a perturbed prompt is scored on its clean row's option texts. The chat
/// client is only called from <c>Fit</c>, which waits for the rounds. The selection is on the fitted model's
/// <see cref="PaftTrainingInfo.Selection"/> (<see cref="TemplateSelection.Batprompt"/>).
/// </summary>
public sealed class BatpromptTrainer : TemplateSelectionTrainer
{
    private readonly BatpromptTrainerOptions _options;

    /// <summary>
    /// Creates the trainer; invalid options throw here (e.g. a chat rewrite without a chat client). Nothing is loaded,
    /// read or requested until <c>Fit</c>.
    /// </summary>
    public BatpromptTrainer(MLContext mlContext, BatpromptTrainerOptions options) : base(mlContext, options) => _options = options;

    private protected override (PromptTemplate, TemplateSelection) Select(PaftTrainerOptions options,
        IReadOnlyList<TaskExample> validation, CancellationToken cancellationToken)
    {
        // Perturbed copies keep their row's Source (the row's position here), which finds the clean row's options.
        Dictionary<string, TaskExample> clean = validation.ToDictionary(r => r.Source, StringComparer.Ordinal);
        BatpromptResult result;
        using (BaseModelTemplateScorer scorer = BaseModelTemplateScorer.Load(options))
        {
            var selector = new BatpromptSelector(
                (template, rows) => scorer.Predict(template, rows, rows.Select(r => clean[r.Source]).ToArray()),
                _options.SelectionOrDefault, _options.ChatClient);
            // Fit is synchronous (IEstimator); the rounds' chat requests are awaited here, never in a constructor.
            result = selector.SelectAsync(PromptPool.FromTemplates(options.TrainingTemplates), options.Task, validation, cancellationToken)
                .GetAwaiter().GetResult();
        }
        return (result.Best, new TemplateSelection(TemplateSelectionMethod.Batprompt, result.Best.Id, result.Score.CleanAccuracy, result.Trace.Count)
        {
            Batprompt = result,
        });
    }
}
