using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Data;

namespace Paft.MLNet.Augmentation;

/// <summary>
/// An input row seen through the transform: <c>Prompt</c> and <c>PromptId</c> are rendered from the row's
/// fields and position. Used as is by the row-to-row mapper, and by the data view's cursor for column access.
/// </summary>
internal sealed class PromptAugmentedRow : AddedColumnsRow
{
    private readonly PromptColumns _columns;
    private readonly PromptColumns.RowRenderer _renderer;

    public PromptAugmentedRow(PromptColumns columns, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        : base(columns.OutputSchema, columns.InputSchema.Count, input, activeColumns)
    {
        _columns = columns;
        _renderer = columns.CreateRenderer(input, renderText: IsActive(columns.PromptIndex));
    }

    protected override ValueGetter<TValue> AddedGetter<TValue>(DataViewSchema.Column column)
    {
        if (typeof(TValue) != typeof(ReadOnlyMemory<char>))
            throw new InvalidOperationException(
                $"Column '{column.Name}' is text (ReadOnlyMemory<char>); a getter of {typeof(TValue).Name} was requested.");
        ValueGetter<ReadOnlyMemory<char>> getter = column.Index == _columns.PromptIndex ? _renderer.GetPrompt : _renderer.GetPromptId;
        return (ValueGetter<TValue>)(Delegate)getter;
    }
}
