using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Augmentation;

/// <summary>
/// Estimator of the prompt-augmentation transform: checks the input has a text column for every field of
/// the task, and yields a <see cref="PromptAugmentationTransformer"/>. Fitting learns nothing; it exists so
/// the transform composes in ML.NET pipelines.
/// </summary>
public sealed class PromptAugmentationEstimator : IEstimator<PromptAugmentationTransformer>
{
    private readonly MLContext _mlContext;
    private readonly PromptAugmentationOptions _options;

    /// <summary>Creates the estimator; invalid options (e.g. a template missing a placeholder) throw here.</summary>
    public PromptAugmentationEstimator(MLContext mlContext, PromptAugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        _mlContext = mlContext;
        _options = options.Clone();
        _options.Validate();
    }

    /// <inheritdoc />
    public PromptAugmentationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new PromptAugmentationTransformer(_options.Clone());
        transformer.GetOutputSchema(input.Schema); // fails now, naming the column, rather than at the first cursor
        return transformer;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        foreach (string field in _options.Task.Fields)
        {
            string name = _options.ColumnOf(field);
            SchemaShape.Column column = inputSchema.FirstOrDefault(c => c.Name == name);
            if (column.Name is null)
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"Input column '{name}' (task field '{field}' of '{_options.Task.Name}') was not found.");
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"Input column '{name}' (task field '{field}') must be a text scalar; it is {column.ItemType} ({column.Kind}).");
        }
        return SchemaShapes.WithTextColumns(_mlContext, inputSchema, _options.PromptColumnName, _options.PromptIdColumnName);
    }
}
