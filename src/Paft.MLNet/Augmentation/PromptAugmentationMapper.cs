using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Augmentation;

/// <summary>The transform as a row-to-row mapper, so it works inside prediction engines.</summary>
internal sealed class PromptAugmentationMapper : IRowToRowMapper
{
    private readonly PromptColumns _columns;

    public PromptAugmentationMapper(PromptColumns columns) => _columns = columns;

    public DataViewSchema InputSchema => _columns.InputSchema;

    public DataViewSchema OutputSchema => _columns.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        _columns.InputColumnsFor(dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new PromptAugmentedRow(_columns, input, activeColumns);
}
