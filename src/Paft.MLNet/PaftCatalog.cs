using Microsoft.Extensions.AI;
using Microsoft.ML;
using Paft.MLNet.Augmentation;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Model;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;

namespace Paft.MLNet;

/// <summary>The entry point of Paft.MLNet on an <see cref="MLContext"/>: <c>mlContext.Paft()</c>.</summary>
public static class MLContextPaftExtensions
{
    /// <summary>PAFT's transforms, trainers and evaluator.</summary>
    public static PaftCatalog Paft(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new PaftCatalog(mlContext);
    }
}

/// <summary>PAFT's transforms, trainers and robustness evaluation, in ML.NET's catalog style.</summary>
public sealed class PaftCatalog
{
    private readonly MLContext _mlContext;

    internal PaftCatalog(MLContext mlContext)
    {
        _mlContext = mlContext;
        Transforms = new PaftTransformsCatalog(mlContext);
        Trainers = new PaftTrainersCatalog(mlContext);
    }

    /// <summary>The prompt-augmentation transform.</summary>
    public PaftTransformsCatalog Transforms { get; }

    /// <summary>PAFT and its baselines.</summary>
    public PaftTrainersCatalog Trainers { get; }

    /// <summary>
    /// Evaluates <paramref name="model"/> on every test template: each template renders all rows of
    /// <paramref name="data"/>, the model answers them (batched; the prompt is computed once for all
    /// options), and ML.NET's multiclass metrics are computed per template, then summarised across templates
    /// (mean, standard deviation, min, max, median, Top-X%, worst templates, per-example consistency).
    /// </summary>
    /// <param name="model">A fitted PAFT, SFT or base model.</param>
    /// <param name="data">Task rows: one text column per field and a <c>Label</c>.</param>
    /// <param name="testTemplates">The unseen test templates.</param>
    /// <param name="options">Top-X threshold (default: the paper's for built-in tasks) and how many worst templates to list.</param>
    /// <param name="progress">Receives (templates done, templates in all).</param>
    /// <param name="cancellationToken">Checked between templates.</param>
    public PromptRobustnessMetrics Evaluate(PaftTransformer model, IDataView data, IEnumerable<PromptTemplate> testTemplates,
        PromptRobustnessOptions? options = null, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        PromptTemplate[] templates = testTemplates.ToArray();
        if (templates.Length == 0)
            throw new ArgumentException("Evaluation needs at least one test template.", nameof(testTemplates));
        IReadOnlyList<TaskExample> examples = TaskDataView.ToExamples(data, model.Task);
        if (examples.Any(e => e.Label < 0))
            throw new ArgumentException("Every evaluation row needs a label.", nameof(data));

        var results = new List<TemplatePredictions>(templates.Length);
        PaftModel m = model.Model;
        foreach (PromptTemplate template in templates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<TemplateProblem> problems = template.Validate(m.Task);
            if (problems.Count > 0)
                throw new ArgumentException($"Test template '{template.Id}' is not valid for task '{m.Task.Name}': {string.Join("; ", problems)}");
            results.Add(TemplateScoring.Predict(m.Scorer, m.Task, template, examples, m.Scoring, m.Fitter));
            progress?.Report((results.Count, templates.Length));
        }
        return new PromptRobustnessEvaluator(_mlContext, m.Task, options).Evaluate(results);
    }
}

/// <summary>PAFT's transforms.</summary>
public sealed class PaftTransformsCatalog
{
    private readonly MLContext _mlContext;

    internal PaftTransformsCatalog(MLContext mlContext) => _mlContext = mlContext;

    /// <summary>
    /// Adds <c>Prompt</c> and <c>PromptId</c>: each row rendered with a template drawn from the pool,
    /// <see cref="PromptAugmentationOptions.GroupSize"/> consecutive rows per draw, a new draw every epoch.
    /// </summary>
    public PromptAugmentationEstimator AugmentPrompts(PromptAugmentationOptions options) => new(_mlContext, options);
}

/// <summary>PAFT and the paper's baselines, all LoRA fine-tuning of the same base model through one API.</summary>
public sealed class PaftTrainersCatalog
{
    private readonly MLContext _mlContext;

    internal PaftTrainersCatalog(MLContext mlContext) => _mlContext = mlContext;

    /// <summary>Prompt-Agnostic Fine-Tuning: trains with templates redrawn from <see cref="PaftTrainerOptions.TrainingTemplates"/>.</summary>
    public PaftTrainer PromptAgnosticFineTuning(PaftTrainerOptions options) => new(_mlContext, options);

    /// <summary>
    /// Supervised fine-tuning on one template (the paper's SFT baseline): the same trainer with a pool of
    /// exactly <paramref name="template"/>, which is also the inference template.
    /// </summary>
    public PaftTrainer SupervisedFineTuning(PaftTrainerOptions options, PromptTemplate template)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(template);
        PaftTrainerOptions single = options.Clone();
        single.TrainingTemplates = [template];
        single.InferenceTemplate = template;
        return new PaftTrainer(_mlContext, single);
    }

    /// <summary>
    /// The paper's TopAccuracy baseline: the training template on which the BASE model is most accurate
    /// over <paramref name="validationData"/> is chosen, then used for <see cref="SupervisedFineTuning"/>.
    /// </summary>
    /// <param name="options">Trainer options; <see cref="PaftTrainerOptions.TrainingTemplates"/> is the pool to choose from.</param>
    /// <param name="validationData">A validation sample (task rows with labels).</param>
    /// <param name="chosen">The template chosen, with the base model's accuracy on it.</param>
    public PaftTrainer TopAccuracyFineTuning(PaftTrainerOptions options, IDataView validationData, out TemplateQuality chosen)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        IReadOnlyList<TaskExample> validation = BaseModelTemplateScorer.ReadValidation(validationData, options.Task, nameof(validationData));
        PromptTemplate template = options.TrainingTemplates[0];
        double bestAccuracy = double.NegativeInfinity;
        // The same base-model scoring as the ZOPO and BATprompt baselines, loaded once and released here.
        using (BaseModelTemplateScorer scorer = BaseModelTemplateScorer.Load(options))
            foreach (PromptTemplate candidate in options.TrainingTemplates)
            {
                double accuracy = scorer.Accuracy(candidate, validation);
                if (accuracy > bestAccuracy) // strictly: the first of the best in pool order
                    (template, bestAccuracy) = (candidate, accuracy);
            }
        chosen = new TemplateQuality(template.Id, bestAccuracy, Kept: true);
        return SupervisedFineTuning(options, template);
    }

    /// <summary>
    /// The ZOPO baseline: a template of <see cref="PaftTrainerOptions.TrainingTemplates"/> is chosen by
    /// zeroth-order search (ZOPO, Hu et al., NeurIPS 2024, "Localized Zeroth-Order Prompt Optimization"),
    /// then used for <see cref="SupervisedFineTuning"/>. The templates are embedded by <paramref name="embedder"/>, by
    /// default as the BASE model's mean-pooled final hidden states (<see cref="HiddenStateEmbedder"/>), or e.g. by a
    /// sentence-embedding model (<see cref="EmbeddingModelTemplateEmbedder"/>); a Gaussian process over those
    /// embeddings guides a local search, and each template it evaluates is measured as the base model's
    /// accuracy on <paramref name="validationData"/> in <see cref="PaftTrainerOptions.Scoring"/> (prompts fitted
    /// to <see cref="PaftTrainerOptions.MaxLength"/>, as the fine-tuned model will see them). At most
    /// <see cref="ZopoOptions.Budget"/> templates are evaluated, unlike TopAccuracy, which evaluates them all.
    /// A given embedder embeds the pool before the base model is loaded (so a failing embedding service costs no
    /// checkpoint load); the base model is loaded once for embedding and scoring and released before this returns.
    /// With the same seed, the search's random picks are the same whatever the embedder: the trace differs only where
    /// the embedding guides it.
    /// </summary>
    /// <param name="options">Trainer options; <see cref="PaftTrainerOptions.TrainingTemplates"/> is the pool to search.</param>
    /// <param name="validationData">A validation sample: task rows, every one with a label.</param>
    /// <param name="zopo">Search settings; null uses <see cref="ZopoOptions"/>' defaults with the trainer's <see cref="PaftTrainerOptions.Seed"/>.</param>
    /// <param name="chosen">The search's outcome: the chosen template, its validation accuracy, and every evaluation in order.</param>
    /// <param name="embedder">Embeds the templates; null (default) uses the base model's hidden states. The caller keeps ownership of it.</param>
    /// <exception cref="ArgumentException">The options or <paramref name="zopo"/> are invalid, or the validation data has no rows or an unlabelled row.</exception>
    /// <exception cref="InvalidOperationException">The embedder failed (e.g. the embedding service's request or reply).</exception>
    public PaftTrainer ZopoFineTuning(PaftTrainerOptions options, IDataView validationData, ZopoOptions? zopo, out ZopoResult chosen,
        ITemplateEmbedder? embedder = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ZopoOptions settings = zopo ?? new ZopoOptions { Seed = options.Seed };
        settings.Validate(); // before the model is loaded: a bad setting should not cost a checkpoint load
        IReadOnlyList<TaskExample> validation = BaseModelTemplateScorer.ReadValidation(validationData, options.Task, nameof(validationData));
        PromptPool pool = PromptPool.FromTemplates(options.TrainingTemplates);
        double[][]? points = embedder is null ? null : new ZopoTemplateSelector(settings, embedder).Embed(pool);
        using (BaseModelTemplateScorer scorer = BaseModelTemplateScorer.Load(options))
        {
            var selector = new ZopoTemplateSelector(settings, embedder ?? scorer.Embedder);
            Func<PromptTemplate, double> accuracy = template => scorer.Accuracy(template, validation);
            chosen = points is null ? selector.Select(pool, accuracy) : selector.Select(pool, points, accuracy);
        }
        return SupervisedFineTuning(options, chosen.Best);
    }

    /// <summary>
    /// The BATprompt baseline: a template robust to noisy inputs is chosen (BATprompt, Shi et al., 2024,
    /// "Robustness-aware Automatic Prompt Optimization"), then used for <see cref="SupervisedFineTuning"/>.
    /// Every template of <see cref="PaftTrainerOptions.TrainingTemplates"/> is scored by the BASE model on
    /// <paramref name="validationData"/> as given and on perturbed copies of it (character noise, and with a
    /// chat client optionally synonym or paraphrase rewrites), in <see cref="PaftTrainerOptions.Scoring"/>;
    /// by default the template whose accuracy drops least under the noise wins
    /// (<see cref="RobustPromptOptions.Criterion"/>). With <paramref name="chatClient"/>, the chat model also
    /// writes improved templates in rounds, and the chosen one may be such a template, which is not in the
    /// training pool; the fine-tuned model then trains and answers with it. In the option-text scoring modes a
    /// perturbed prompt is scored on its clean row's option texts. The base model is loaded once and released
    /// before this returns; with a chat client this call blocks until the rounds are done.
    /// </summary>
    /// <param name="options">Trainer options; <see cref="PaftTrainerOptions.TrainingTemplates"/> is the pool to choose from.</param>
    /// <param name="validationData">A validation sample: task rows, every one with a label.</param>
    /// <param name="robust">Noise, criterion and rounds; null uses <see cref="RobustPromptOptions"/>' defaults with the trainer's <see cref="PaftTrainerOptions.Seed"/>.</param>
    /// <param name="chatClient">Writes improved templates (and rewrites inputs when <see cref="RobustPromptOptions.ChatRewrite"/> is set); null selects from the pool only.</param>
    /// <param name="chosen">The selection's outcome: the chosen template, its clean and perturbed accuracy, every template scored, and the chat model's rejected candidates.</param>
    /// <exception cref="ArgumentException">The options or <paramref name="robust"/> are invalid (a chat rewrite without a chat client), or the validation data has no rows or an unlabelled row.</exception>
    public PaftTrainer RobustPromptFineTuning(PaftTrainerOptions options, IDataView validationData, RobustPromptOptions? robust,
        IChatClient? chatClient, out RobustPromptResult chosen)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RobustPromptOptions settings = robust ?? new RobustPromptOptions { Seed = options.Seed };
        settings.Validate();
        if (settings.ChatRewrite is not null && chatClient is null)
            throw new ArgumentException($"{nameof(RobustPromptOptions)}.{nameof(RobustPromptOptions.ChatRewrite)} needs a chat client.", nameof(chatClient));
        IReadOnlyList<TaskExample> validation = BaseModelTemplateScorer.ReadValidation(validationData, options.Task, nameof(validationData));
        // Perturbed copies keep their row's Source (the row's position here), which finds the clean row's options.
        Dictionary<string, TaskExample> clean = validation.ToDictionary(r => r.Source, StringComparer.Ordinal);
        using (BaseModelTemplateScorer scorer = BaseModelTemplateScorer.Load(options))
        {
            var selector = new RobustPromptSelector(
                (template, rows) => scorer.Predict(template, rows, rows.Select(r => clean[r.Source]).ToArray()), settings, chatClient);
            chosen = selector.SelectAsync(PromptPool.FromTemplates(options.TrainingTemplates), options.Task, validation)
                .GetAwaiter().GetResult();
        }
        return SupervisedFineTuning(options, chosen.Best);
    }

    /// <summary>
    /// The base model without fine-tuning, as a transformer (the paper's "base" row). Reads the model, the
    /// tokenizer, the task, the inference template (default: the first training template) and the scoring
    /// settings from <paramref name="options"/>; trains nothing.
    /// </summary>
    public PaftTransformer BaseModel(PaftTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Model.BaseModel loaded = Model.BaseModel.Load(options.ModelPath, options.TokenizerPath, options.ComputeType);
        return new PaftTransformer(_mlContext, new PaftModel(loaded, null, options.Task,
            options.InferenceTemplate ?? options.TrainingTemplates[0], options.Scoring, options.PredictionBatchSize,
            options.MaxNewTokens, options.MaxLength, training: null));
    }
}
