using Microsoft.Extensions.AI;
using Microsoft.ML;
using Paft.Llama.Training;
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
    /// <exception cref="ArgumentException">The model's training target and scoring mode cannot work together (the message
    /// names the fix; see <see cref="PaftTransformer.WithScoring"/>).</exception>
    public PromptRobustnessMetrics Evaluate(PaftTransformer model, IDataView data, IEnumerable<PromptTemplate> testTemplates,
        PromptRobustnessOptions? options = null, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (model.TrainingInfo?.AnswerTarget is { } target)
            AnswerTargetScoring.CheckAndWarn(_mlContext, target, model.Scoring, $"{nameof(PaftCatalog)}.{nameof(Evaluate)}");
        PromptTemplate[] templates = testTemplates.ToArray();
        if (templates.Length == 0)
            throw new ArgumentException("Evaluation needs at least one test template.", nameof(testTemplates));
        model.Predictor.Checkpoint.ThrowIfDisposed($"{nameof(PaftCatalog)}.{nameof(Evaluate)}");
        PaftColumns columns = model.Predictor.Columns;
        IReadOnlyList<TaskExample> examples = TaskDataView.ToExamples(data, model.Task, columns.Label, columns.ColumnOf);
        if (examples.Any(e => e.Label < 0))
            throw new ArgumentException("Every evaluation row needs a label.", nameof(data));

        var results = new List<TemplatePredictions>(templates.Length);
        PaftPredictor m = model.Predictor;
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
    /// <see cref="PromptAugmentationOptions.RowsPerDraw"/> consecutive rows per draw, a new draw every epoch.
    /// </summary>
    public PromptAugmentationEstimator AugmentPrompts(PromptAugmentationOptions options) => new(_mlContext, options);
}

/// <summary>
/// PAFT and the paper's baselines, all LoRA fine-tuning of the same base model through one API. Each trainer has an
/// options overload and a flat overload with the common settings and the column names: the label column training reads,
/// the score and predicted-label columns the fitted model writes, and the input column of each task field.
/// </summary>
public sealed class PaftTrainersCatalog
{
    private readonly MLContext _mlContext;

    internal PaftTrainersCatalog(MLContext mlContext) => _mlContext = mlContext;

    /// <summary>Prompt-Agnostic Fine-Tuning: trains with templates redrawn from <see cref="PaftTrainerOptions.TrainingTemplates"/>.</summary>
    public PaftTrainer PromptAgnosticFineTuning(PaftTrainerOptions options) => new(_mlContext, options);

    /// <summary>Prompt-Agnostic Fine-Tuning with the common settings; the rest are <see cref="PaftTrainerOptions"/>' defaults.</summary>
    /// <param name="modelPath">Folder of the base model in Hugging Face layout.</param>
    /// <param name="task">The task.</param>
    /// <param name="trainingTemplates">The PAFT pool.</param>
    /// <param name="labelColumnName">The label column: a key of the option count, or a 0-based <see cref="int"/>.</param>
    /// <param name="scoreColumnName">The column the fitted model writes the probabilities over the options to.</param>
    /// <param name="predictedLabelColumnName">The column the fitted model writes its answer to.</param>
    /// <param name="fieldColumns">Input column of each task field not named like the field; null when all are.</param>
    /// <param name="redrawEverySteps">K: optimizer steps one drawn template is held for (<see cref="PaftTrainerOptions.RedrawEverySteps"/>).</param>
    /// <param name="epochs">Passes over the training rows.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="batchSize">Rows per micro-batch.</param>
    /// <param name="seed">Seed of the template draws, the data order and the adapter's initialisation.</param>
    public PaftTrainer PromptAgnosticFineTuning(string modelPath, TaskDefinition task, IEnumerable<PromptTemplate> trainingTemplates,
        string labelColumnName = PaftColumns.DefaultLabel, string scoreColumnName = PaftColumns.DefaultScore,
        string predictedLabelColumnName = PaftColumns.DefaultPredictedLabel, IReadOnlyDictionary<string, string>? fieldColumns = null,
        int redrawEverySteps = 4, int epochs = TrainingOptions.DefaultEpochs, double learningRate = TrainingOptions.DefaultLearningRate,
        int batchSize = TrainingOptions.DefaultBatchSize, int seed = 0)
    {
        PaftTrainerOptions options = Flat(modelPath, task, trainingTemplates, labelColumnName, scoreColumnName, predictedLabelColumnName,
            fieldColumns, epochs, learningRate, batchSize, seed);
        options.RedrawEverySteps = redrawEverySteps;
        return PromptAgnosticFineTuning(options);
    }

    /// <summary>
    /// Supervised fine-tuning on one template (the paper's SFT baseline): the same trainer with a pool of
    /// exactly <paramref name="template"/>, which is also the inference template.
    /// </summary>
    public PaftTrainer SupervisedFineTuning(PaftTrainerOptions options, PromptTemplate template)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(template);
        return new PaftTrainer(_mlContext, SingleTemplate(options, template));
    }

    /// <summary>Supervised fine-tuning on one template with the common settings; the rest are <see cref="PaftTrainerOptions"/>' defaults.</summary>
    /// <param name="modelPath">Folder of the base model in Hugging Face layout.</param>
    /// <param name="task">The task.</param>
    /// <param name="template">The one training and inference template.</param>
    /// <param name="labelColumnName">The label column: a key of the option count, or a 0-based <see cref="int"/>.</param>
    /// <param name="scoreColumnName">The column the fitted model writes the probabilities over the options to.</param>
    /// <param name="predictedLabelColumnName">The column the fitted model writes its answer to.</param>
    /// <param name="fieldColumns">Input column of each task field not named like the field; null when all are.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="batchSize">Rows per micro-batch.</param>
    /// <param name="seed">Seed of the data order and the adapter's initialisation.</param>
    public PaftTrainer SupervisedFineTuning(string modelPath, TaskDefinition task, PromptTemplate template,
        string labelColumnName = PaftColumns.DefaultLabel, string scoreColumnName = PaftColumns.DefaultScore,
        string predictedLabelColumnName = PaftColumns.DefaultPredictedLabel, IReadOnlyDictionary<string, string>? fieldColumns = null,
        int epochs = TrainingOptions.DefaultEpochs, double learningRate = TrainingOptions.DefaultLearningRate,
        int batchSize = TrainingOptions.DefaultBatchSize, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(template);
        return SupervisedFineTuning(Flat(modelPath, task, [template], labelColumnName, scoreColumnName, predictedLabelColumnName,
            fieldColumns, epochs, learningRate, batchSize, seed), template);
    }

    /// <summary>
    /// The paper's TopAccuracy baseline: in <c>Fit</c>, the training template on which the BASE model is most accurate
    /// over <see cref="TemplateSelectionTrainerOptions.SelectionData"/> is chosen, then fine-tuned on (see <see cref="TopAccuracyTrainer"/>).
    /// </summary>
    public TopAccuracyTrainer TopAccuracyFineTuning(TemplateSelectionTrainerOptions options) => new(_mlContext, options);

    /// <summary>TopAccuracy with the common settings; the rest are <see cref="PaftTrainerOptions"/>' defaults.</summary>
    /// <param name="modelPath">Folder of the base model in Hugging Face layout.</param>
    /// <param name="task">The task.</param>
    /// <param name="trainingTemplates">The pool to choose from.</param>
    /// <param name="selectionData">Labelled rows the templates are scored on (read in <c>Fit</c>).</param>
    /// <param name="labelColumnName">The label column of the training and selection data.</param>
    /// <param name="scoreColumnName">The column the fitted model writes the probabilities over the options to.</param>
    /// <param name="predictedLabelColumnName">The column the fitted model writes its answer to.</param>
    /// <param name="fieldColumns">Input column of each task field not named like the field; null when all are.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="batchSize">Rows per micro-batch.</param>
    /// <param name="seed">Seed of the data order and the adapter's initialisation.</param>
    public TopAccuracyTrainer TopAccuracyFineTuning(string modelPath, TaskDefinition task, IEnumerable<PromptTemplate> trainingTemplates,
        IDataView selectionData, string labelColumnName = PaftColumns.DefaultLabel, string scoreColumnName = PaftColumns.DefaultScore,
        string predictedLabelColumnName = PaftColumns.DefaultPredictedLabel, IReadOnlyDictionary<string, string>? fieldColumns = null,
        int epochs = TrainingOptions.DefaultEpochs, double learningRate = TrainingOptions.DefaultLearningRate,
        int batchSize = TrainingOptions.DefaultBatchSize, int seed = 0) =>
        TopAccuracyFineTuning(new TemplateSelectionTrainerOptions
        {
            Trainer = Flat(modelPath, task, trainingTemplates, labelColumnName, scoreColumnName, predictedLabelColumnName, fieldColumns,
                epochs, learningRate, batchSize, seed),
            SelectionData = selectionData,
        });

    /// <summary>
    /// The ZOPO baseline: in <c>Fit</c>, a template of the pool is chosen by a budgeted zeroth-order search over embeddings of
    /// the templates, then fine-tuned on (see <see cref="ZopoTrainer"/>).
    /// </summary>
    public ZopoTrainer ZopoFineTuning(ZopoTrainerOptions options) => new(_mlContext, options);

    /// <summary>ZOPO with the common settings; the rest are <see cref="PaftTrainerOptions"/>' and <see cref="ZopoOptions"/>' defaults.</summary>
    /// <param name="modelPath">Folder of the base model in Hugging Face layout.</param>
    /// <param name="task">The task.</param>
    /// <param name="trainingTemplates">The pool to search.</param>
    /// <param name="selectionData">Labelled rows the templates are scored on (read in <c>Fit</c>).</param>
    /// <param name="budget">The most templates evaluated (<see cref="ZopoOptions.Budget"/>); null for its default.</param>
    /// <param name="embedder">Embeds the templates; null uses the base model's hidden states. The caller keeps ownership of it.</param>
    /// <param name="labelColumnName">The label column of the training and selection data.</param>
    /// <param name="scoreColumnName">The column the fitted model writes the probabilities over the options to.</param>
    /// <param name="predictedLabelColumnName">The column the fitted model writes its answer to.</param>
    /// <param name="fieldColumns">Input column of each task field not named like the field; null when all are.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="batchSize">Rows per micro-batch.</param>
    /// <param name="seed">Seed of the search, the data order and the adapter's initialisation.</param>
    public ZopoTrainer ZopoFineTuning(string modelPath, TaskDefinition task, IEnumerable<PromptTemplate> trainingTemplates,
        IDataView selectionData, int? budget = null, ITemplateEmbedder? embedder = null,
        string labelColumnName = PaftColumns.DefaultLabel, string scoreColumnName = PaftColumns.DefaultScore,
        string predictedLabelColumnName = PaftColumns.DefaultPredictedLabel, IReadOnlyDictionary<string, string>? fieldColumns = null,
        int epochs = TrainingOptions.DefaultEpochs, double learningRate = TrainingOptions.DefaultLearningRate,
        int batchSize = TrainingOptions.DefaultBatchSize, int seed = 0) =>
        ZopoFineTuning(new ZopoTrainerOptions
        {
            Trainer = Flat(modelPath, task, trainingTemplates, labelColumnName, scoreColumnName, predictedLabelColumnName, fieldColumns,
                epochs, learningRate, batchSize, seed),
            SelectionData = selectionData,
            Search = new ZopoOptions { Seed = seed, Budget = budget ?? new ZopoOptions().Budget },
            Embedder = embedder,
        });

    /// <summary>
    /// The BATprompt baseline: in <c>Fit</c>, the template whose base accuracy drops least under input noise is chosen
    /// (with a chat client, possibly one the chat model wrote), then fine-tuned on (see <see cref="BatpromptTrainer"/>).
    /// </summary>
    public BatpromptTrainer BatpromptFineTuning(BatpromptTrainerOptions options) => new(_mlContext, options);

    /// <summary>BATprompt with the common settings; the rest are <see cref="PaftTrainerOptions"/>' and <see cref="BatpromptOptions"/>' defaults.</summary>
    /// <param name="modelPath">Folder of the base model in Hugging Face layout.</param>
    /// <param name="task">The task.</param>
    /// <param name="trainingTemplates">The pool to choose from.</param>
    /// <param name="selectionData">Labelled rows the templates are scored on (read in <c>Fit</c>).</param>
    /// <param name="chatClient">Writes improved templates in rounds; null selects from the pool only. Only <c>Fit</c> calls it.</param>
    /// <param name="labelColumnName">The label column of the training and selection data.</param>
    /// <param name="scoreColumnName">The column the fitted model writes the probabilities over the options to.</param>
    /// <param name="predictedLabelColumnName">The column the fitted model writes its answer to.</param>
    /// <param name="fieldColumns">Input column of each task field not named like the field; null when all are.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    /// <param name="learningRate">Peak learning rate.</param>
    /// <param name="batchSize">Rows per micro-batch.</param>
    /// <param name="seed">Seed of the noise, the data order and the adapter's initialisation.</param>
    public BatpromptTrainer BatpromptFineTuning(string modelPath, TaskDefinition task, IEnumerable<PromptTemplate> trainingTemplates,
        IDataView selectionData, IChatClient? chatClient = null,
        string labelColumnName = PaftColumns.DefaultLabel, string scoreColumnName = PaftColumns.DefaultScore,
        string predictedLabelColumnName = PaftColumns.DefaultPredictedLabel, IReadOnlyDictionary<string, string>? fieldColumns = null,
        int epochs = TrainingOptions.DefaultEpochs, double learningRate = TrainingOptions.DefaultLearningRate,
        int batchSize = TrainingOptions.DefaultBatchSize, int seed = 0) =>
        BatpromptFineTuning(new BatpromptTrainerOptions
        {
            Trainer = Flat(modelPath, task, trainingTemplates, labelColumnName, scoreColumnName, predictedLabelColumnName, fieldColumns,
                epochs, learningRate, batchSize, seed),
            SelectionData = selectionData,
            ChatClient = chatClient,
        });

    /// <summary>
    /// The base model without fine-tuning (the paper's "base" row), as an estimator whose <c>Fit</c> loads it and trains
    /// nothing. Reads the model, the tokenizer, the task, the inference template (default: the first training template),
    /// the scoring settings and the column names from <paramref name="options"/>.
    /// </summary>
    public BaseModelEstimator BaseModel(PaftTrainerOptions options) => new(_mlContext, options);

    /// <summary>The base model without fine-tuning, answering with <paramref name="template"/>.</summary>
    /// <param name="modelPath">Folder of the base model in Hugging Face layout.</param>
    /// <param name="task">The task.</param>
    /// <param name="template">The template rows are rendered with.</param>
    /// <param name="scoreColumnName">The column the model writes the probabilities over the options to.</param>
    /// <param name="predictedLabelColumnName">The column the model writes its answer to.</param>
    /// <param name="fieldColumns">Input column of each task field not named like the field; null when all are.</param>
    public BaseModelEstimator BaseModel(string modelPath, TaskDefinition task, PromptTemplate template,
        string scoreColumnName = PaftColumns.DefaultScore, string predictedLabelColumnName = PaftColumns.DefaultPredictedLabel,
        IReadOnlyDictionary<string, string>? fieldColumns = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        return BaseModel(Flat(modelPath, task, [template], PaftColumns.DefaultLabel, scoreColumnName, predictedLabelColumnName, fieldColumns,
            epochs: 3, learningRate: 1e-4, batchSize: 8, seed: 0));
    }

    /// <summary>A copy of <paramref name="options"/> training and answering with <paramref name="template"/> only (SFT).</summary>
    internal static PaftTrainerOptions SingleTemplate(PaftTrainerOptions options, PromptTemplate template)
    {
        PaftTrainerOptions single = options.Clone();
        single.TrainingTemplates = [template];
        single.InferenceTemplate = template;
        return single;
    }

    private static PaftTrainerOptions Flat(string modelPath, TaskDefinition task, IEnumerable<PromptTemplate> trainingTemplates,
        string labelColumnName, string scoreColumnName, string predictedLabelColumnName, IReadOnlyDictionary<string, string>? fieldColumns,
        int epochs, double learningRate, int batchSize, int seed)
    {
        ArgumentNullException.ThrowIfNull(trainingTemplates);
        return new PaftTrainerOptions
        {
            ModelPath = modelPath,
            Task = task,
            TrainingTemplates = trainingTemplates.ToArray(),
            LabelColumnName = labelColumnName,
            ScoreColumnName = scoreColumnName,
            PredictedLabelColumnName = predictedLabelColumnName,
            FieldColumns = fieldColumns,
            Epochs = epochs,
            LearningRate = learningRate,
            BatchSize = batchSize,
            Seed = seed,
        };
    }
}
