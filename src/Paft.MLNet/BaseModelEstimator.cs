using Microsoft.ML;
using Paft.MLNet.Model;
using Paft.MLNet.Training;

namespace Paft.MLNet;

/// <summary>
/// The base model without fine-tuning, as an estimator (the paper's "base" row): <c>Fit</c> checks the input's field
/// columns, loads the model and tokenizer and trains nothing. Reads the model, the task, the inference template (default:
/// the first training template), the scoring settings and the column names from the options. Constructing it loads nothing.
/// </summary>
public sealed class BaseModelEstimator : IEstimator<PaftTransformer>
{
    private readonly MLContext _mlContext;
    private readonly PaftTrainerOptions _options;

    /// <summary>Creates the estimator; invalid options throw here. Nothing is loaded until <c>Fit</c>.</summary>
    public BaseModelEstimator(MLContext mlContext, PaftTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(requireModelFolder: false);
        _mlContext = mlContext;
        _options = options.Clone();
    }

    /// <summary>Loads the base model; <paramref name="input"/> is only checked for the task's field columns (no label is needed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field column is missing or not text (named).</exception>
    /// <exception cref="DirectoryNotFoundException">The base model folder does not exist.</exception>
    public PaftTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TrainingInputSchema.CheckFields(input.Schema, _options);
        _options.Validate();
        PaftTrainerOptions o = _options;
        LoadedCheckpoint loaded = LoadedCheckpoint.Load(o.ModelPath, o.TokenizerPath, o.ComputeType);
        return new PaftTransformer(_mlContext, new PaftPredictor(loaded, null, o.Task, o.InferenceTemplate ?? o.TrainingTemplates[0], o.Scoring,
            o.PredictionBatchSize, o.MaxNewTokens, o.MaxLength, training: null, o.Columns));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A field column is missing or not text; the message names it.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => TrainingInputSchema.OutputSchema(_mlContext, inputSchema, _options, requireLabel: false);
}
