using System.Diagnostics;
using Microsoft.ML;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.MLNet;

/// <summary>
/// A single-template baseline as an estimator: <c>Fit</c> checks the input, reads the selection data, loads the BASE
/// model to choose one template of the pool (released before training), then fine-tunes on that template as
/// <see cref="PaftTrainersCatalog.SupervisedFineTuning(PaftTrainerOptions, PromptTemplate)"/> does. What was chosen is on
/// the fitted model's <see cref="PaftTrainingInfo.Selection"/>. Constructing one loads and reads nothing.
/// </summary>
public abstract class TemplateSelectionTrainer : IEstimator<PaftTransformer>
{
    private readonly MLContext _mlContext;
    private readonly TemplateSelectionTrainerOptions _options;

    private protected TemplateSelectionTrainer(MLContext mlContext, TemplateSelectionTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _mlContext = mlContext;
        _options = options;
        AnswerTargetScoring.CheckAndWarn(mlContext, options.Trainer.AnswerTarget, options.Trainer.Scoring, nameof(PaftTrainerOptions));
    }

    /// <summary>The fine-tuning options (the pool before the choice).</summary>
    public PaftTrainerOptions TrainerOptions => _options.Trainer.Clone();

    /// <inheritdoc />
    public PaftTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Chooses the template on the selection data, then fine-tunes on <paramref name="input"/> with it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field or label column of <paramref name="input"/> is missing or mistyped (named).</exception>
    /// <exception cref="ArgumentException">The selection data has no rows or an unlabelled row.</exception>
    /// <exception cref="DirectoryNotFoundException">The base model folder does not exist.</exception>
    /// <exception cref="OperationCanceledException">Selection or training was cancelled.</exception>
    public PaftTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        PaftTrainerOptions options = _options.Trainer.Clone();
        TrainingInputSchema.Check(input.Schema, options);
        options.Validate();
        IReadOnlyList<TaskExample> validation =
            BaseModelTemplateScorer.ReadValidation(_options.SelectionData, options, nameof(TemplateSelectionTrainerOptions.SelectionData));
        var clock = Stopwatch.StartNew();
        (PromptTemplate chosen, TemplateSelection selection) = Select(options, validation, cancellationToken);
        selection = selection with { Duration = clock.Elapsed };
        cancellationToken.ThrowIfCancellationRequested();
        return new PaftTrainer(_mlContext, PaftTrainersCatalog.SingleTemplate(options, chosen)).Fit(input, cancellationToken, selection);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A field or label column is missing or has another type; the message names it and the type it needs.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        TrainingInputSchema.OutputSchema(_mlContext, inputSchema, _options.Trainer, requireLabel: true);

    /// <summary>Chooses the template with the base model of validated <paramref name="options"/>, releasing it before returning.</summary>
    private protected abstract (PromptTemplate Chosen, TemplateSelection Selection) Select(PaftTrainerOptions options,
        IReadOnlyList<TaskExample> validation, CancellationToken cancellationToken);
}
