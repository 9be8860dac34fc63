using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Data;

/// <summary>
/// An input row seen through a transform that appends columns: the input's columns pass through
/// unchanged, the appended ones (index ≥ <c>firstAdded</c>) come from <see cref="AddedGetter{TValue}"/>.
/// Only requested (active) columns can be read.
/// </summary>
internal abstract class AddedColumnsRow : DataViewRow
{
    private readonly DataViewSchema _schema;
    private readonly int _firstAdded;
    private readonly bool[] _active;

    protected AddedColumnsRow(DataViewSchema outputSchema, int firstAdded, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        _schema = outputSchema;
        _firstAdded = firstAdded;
        Input = input;
        _active = new bool[outputSchema.Count];
        foreach (DataViewSchema.Column column in activeColumns)
            _active[column.Index] = true;
    }

    /// <summary>The row underneath.</summary>
    protected DataViewRow Input { get; }

    /// <summary>Whether any appended column was requested.</summary>
    protected bool AnyAddedActive => _active.AsSpan(_firstAdded).Contains(true);

    /// <summary>Whether the column at <paramref name="index"/> was requested.</summary>
    protected bool IsActive(int index) => _active[index];

    public sealed override DataViewSchema Schema => _schema;

    public sealed override long Position => Input.Position;

    public sealed override long Batch => Input.Batch;

    public sealed override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public sealed override ValueGetter<DataViewRowId> GetIdGetter() => Input.GetIdGetter();

    public sealed override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_active[column.Index])
            throw new InvalidOperationException($"Column '{column.Name}' was not requested from this row.");
        return column.Index < _firstAdded ? Input.GetGetter<TValue>(Input.Schema[column.Index]) : AddedGetter<TValue>(column);
    }

    /// <summary>The getter of an appended column.</summary>
    protected abstract ValueGetter<TValue> AddedGetter<TValue>(DataViewSchema.Column column);
}
