using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Augmentation;

/// <summary>
/// Adds a rendered <c>Prompt</c> and its <c>PromptId</c> to every row of a task: the template of row i in
/// epoch e is drawn from the training pool so that consecutive groups of <see cref="RowsPerDraw"/> rows share one
/// template, and each epoch is a new draw (<see cref="WithEpoch"/>). Lazy and seeded: the same seed, epoch and
/// row give the same prompt, in constant memory. Groups are positions in the input's order, so to hold a
/// template for K optimizer steps, feed the rows in training order with RowsPerDraw = K × rows per step
/// (what <see cref="PaftTrainer"/> does).
/// </summary>
public sealed class PromptAugmentationTransformer : ITransformer
{
    private readonly PromptAugmentationOptions _options;
    private readonly TemplateSampler _sampler;

    internal PromptAugmentationTransformer(PromptAugmentationOptions options)
    {
        options.Validate();
        _options = options;
        _sampler = new TemplateSampler(options.Templates.Count, options.RowsPerDraw, options.Seed,
            options.Sampling == TemplateSampling.Weighted ? options.Weights : null);
    }

    /// <summary>The task whose fields are rendered.</summary>
    public TaskDefinition Task => _options.Task;

    /// <summary>The training pool.</summary>
    public IReadOnlyList<PromptTemplate> Templates => _options.Templates;

    /// <summary>The epoch whose draw this transformer applies.</summary>
    public int Epoch => _options.Epoch;

    /// <summary>Consecutive rows per template draw (see <see cref="PromptAugmentationOptions.RowsPerDraw"/>).</summary>
    public int RowsPerDraw => _options.RowsPerDraw;

    /// <summary>The seed of the draws.</summary>
    public int Seed => _options.Seed;

    /// <summary>The same transform for another epoch (a new draw of templates).</summary>
    /// <param name="epoch">The epoch, from 0.</param>
    public PromptAugmentationTransformer WithEpoch(int epoch)
    {
        PromptAugmentationOptions options = _options.Clone();
        options.Epoch = epoch;
        return new PromptAugmentationTransformer(options);
    }

    /// <summary>
    /// The same transform drawing templates in proportion to <paramref name="weights"/> (one per template),
    /// e.g. to sample hard templates more often in the next epoch.
    /// </summary>
    public PromptAugmentationTransformer WithWeights(IReadOnlyList<double> weights)
    {
        PromptAugmentationOptions options = _options.Clone();
        options.Sampling = TemplateSampling.Weighted;
        options.Weights = weights.ToArray();
        return new PromptAugmentationTransformer(options);
    }

    /// <summary>The template that row <paramref name="position"/> gets in this transformer's epoch.</summary>
    public PromptTemplate TemplateAt(long position) => _options.Templates[_sampler.TemplateIndex(_options.Epoch, position)];

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Columns(inputSchema).OutputSchema;

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new PromptAugmentedDataView(input, Columns(input.Schema));
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new PromptAugmentationMapper(Columns(inputSchema));

    /// <summary>
    /// Not supported: ML.NET's model zip only holds transformers registered through its internal loader API.
    /// Keep the training pool with <see cref="PromptPool"/>'s save methods and rebuild the transform from it.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "The prompt-augmentation transform cannot be written into an ML.NET model zip (ML.NET keeps that API internal). " +
            "It is a training-time transform: save its template pool (PromptPool) and options instead.");

    private PromptColumns Columns(DataViewSchema inputSchema) => new(_options, _sampler, inputSchema);
}
