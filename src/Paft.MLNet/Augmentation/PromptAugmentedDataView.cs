using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Augmentation;

/// <summary>
/// The input rows plus <c>Prompt</c> and <c>PromptId</c>, computed lazily by cursors: nothing is
/// materialised, so a million rows cost no more memory than ten. The template of a row depends on its
/// position, so this view does not shuffle (<see cref="CanShuffle"/> is false): shuffle the task rows
/// before the transform if needed.
/// </summary>
internal sealed class PromptAugmentedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly PromptColumns _columns;

    public PromptAugmentedDataView(IDataView input, PromptColumns columns)
    {
        _input = input;
        _columns = columns;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _columns.OutputSchema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        DataViewSchema.Column[] needed = columnsNeeded.ToArray();
        // Rows are visited in order whatever `rand` says: a row's template depends on its position.
        DataViewRowCursor inner = _input.GetRowCursor(_columns.InputColumnsFor(needed));
        return new Cursor(_columns, inner, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>Walks the input; column access goes through the same row view the mapper uses.</summary>
    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _inner;
        private readonly PromptAugmentedRow _row;

        public Cursor(PromptColumns columns, DataViewRowCursor inner, IEnumerable<DataViewSchema.Column> needed)
        {
            _inner = inner;
            _row = new PromptAugmentedRow(columns, inner, needed);
        }

        public override DataViewSchema Schema => _row.Schema;

        public override long Position => _inner.Position;

        public override long Batch => _inner.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override bool MoveNext() => _inner.MoveNext();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
