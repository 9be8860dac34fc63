using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Augmentation;

/// <summary>
/// An input row seen through the transform: input columns pass through, <c>Prompt</c> and <c>PromptId</c>
/// are rendered from the row's fields and position. Used as is by the row-to-row mapper, and by the data
/// view's cursor for column access.
/// </summary>
internal sealed class PromptAugmentedRow : DataViewRow
{
    private readonly PromptColumns _columns;
    private readonly DataViewRow _input;
    private readonly bool[] _active;
    private readonly PromptColumns.RowRenderer _renderer;

    public PromptAugmentedRow(PromptColumns columns, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        _columns = columns;
        _input = input;
        _active = new bool[columns.OutputSchema.Count];
        foreach (DataViewSchema.Column column in activeColumns)
            _active[column.Index] = true;
        _renderer = columns.CreateRenderer(input, renderText: _active[columns.PromptIndex]);
    }

    public override DataViewSchema Schema => _columns.OutputSchema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_active[column.Index])
            throw new InvalidOperationException($"Column '{column.Name}' was not requested from this row.");
        if (!_columns.IsAdded(column.Index))
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        if (typeof(TValue) != typeof(ReadOnlyMemory<char>))
            throw new InvalidOperationException(
                $"Column '{column.Name}' is text (ReadOnlyMemory<char>); a getter of {typeof(TValue).Name} was requested.");
        ValueGetter<ReadOnlyMemory<char>> getter = column.Index == _columns.PromptIndex ? _renderer.GetPrompt : _renderer.GetPromptId;
        return (ValueGetter<TValue>)(Delegate)getter;
    }
}
