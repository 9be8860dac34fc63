using Microsoft.ML;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Model;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;

namespace Paft.MLNet.Selection;

/// <summary>
/// The base model of a set of trainer options, loaded once, scoring templates on validation rows the way
/// the fine-tuned model will be scored (the options' scoring mode, prompts fitted to their length budget):
/// what the template-selection baselines of the catalog measure. Disposing it frees the model's tensors.
/// </summary>
internal sealed class BaseModelTemplateScorer : IDisposable
{
    private readonly LoadedCheckpoint _base;
    private readonly MultipleChoiceScorer _scorer;
    private readonly PromptFitter _fitter;
    private readonly TaskDefinition _task;
    private readonly ScoringMode _mode;

    private BaseModelTemplateScorer(LoadedCheckpoint loaded, PaftTrainerOptions options)
    {
        _base = loaded;
        _task = options.Task;
        _mode = options.Scoring;
        _scorer = new MultipleChoiceScorer(loaded.CausalLM, loaded.Tokenizer, options.PredictionBatchSize, options.MaxNewTokens);
        _fitter = new PromptFitter(loaded.Tokenizer, options.Task, options.MaxLength);
        Embedder = new HiddenStateEmbedder(loaded.CausalLM, loaded.Tokenizer);
    }

    /// <summary>Embeds templates with this base model's hidden states (ZOPO's embedding).</summary>
    public HiddenStateEmbedder Embedder { get; }

    /// <summary>Loads the base model of validated <paramref name="options"/>.</summary>
    public static BaseModelTemplateScorer Load(PaftTrainerOptions options) =>
        new(LoadedCheckpoint.Load(options.ModelPath, options.TokenizerPath, options.ComputeType), options);

    /// <summary>
    /// Reads the validation rows of a selection baseline, each tagged with its position so perturbed copies can
    /// be matched back to their clean row.
    /// </summary>
    /// <exception cref="ArgumentException">The data has no rows, or a row has no label.</exception>
    public static IReadOnlyList<TaskExample> ReadValidation(IDataView validationData, PaftTrainerOptions options, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(validationData, parameterName);
        IReadOnlyList<TaskExample> rows = options.ReadRows(validationData);
        if (rows.Count == 0)
            throw new ArgumentException("The validation data has no rows: template selection needs labelled rows to score templates on.", parameterName);
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].Label < 0)
                throw new ArgumentException($"Validation row {i} has no label: every row a template is scored on needs one.", parameterName);
        return rows.Select((row, i) => row with { Source = $"validation row {i}" }).ToArray();
    }

    /// <summary>The share of <paramref name="rows"/> the base model answers right under <paramref name="template"/>.</summary>
    public double Accuracy(PromptTemplate template, IReadOnlyList<TaskExample> rows)
    {
        IReadOnlyList<int> predicted = Predict(template, rows, rows);
        int correct = 0;
        for (int i = 0; i < rows.Count; i++)
            if (predicted[i] == rows[i].Label)
                correct++;
        return (double)correct / rows.Count;
    }

    /// <summary>The option chosen for each row under <paramref name="template"/>; options are read from <paramref name="answersFrom"/>.</summary>
    public IReadOnlyList<int> Predict(PromptTemplate template, IReadOnlyList<TaskExample> rows, IReadOnlyList<TaskExample> answersFrom)
    {
        TemplatePredictions predictions = TemplateScoring.Predict(_scorer, _task, template, rows, _mode, _fitter, answersFrom);
        return predictions.Predictions.Select(p => p.PredictedIndex).ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _base.Dispose();
}
