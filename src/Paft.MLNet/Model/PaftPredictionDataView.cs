using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Model;

/// <summary>
/// The input rows plus the model's answers, computed lazily in batches: a look-ahead cursor reads and
/// scores the next batch of rows while the visible cursor walks the input in step, so input columns pass
/// through untouched and only one batch of answers is held at a time.
/// </summary>
internal sealed class PaftPredictionDataView : IDataView
{
    private readonly IDataView _input;
    private readonly PaftModel _model;
    private readonly PredictionColumns _columns;

    public PaftPredictionDataView(IDataView input, PaftModel model)
    {
        _input = input;
        _model = model;
        _columns = new PredictionColumns(model, input.Schema);
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _columns.OutputSchema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        DataViewSchema.Column[] needed = columnsNeeded.ToArray();
        return new Cursor(this, _input.GetRowCursor(_columns.InputColumnsFor(needed)), needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly PaftPredictionDataView _parent;
        private readonly DataViewRowCursor _inner;
        private readonly bool[] _active;
        private readonly bool _scores;
        private DataViewRowCursor? _lookahead;
        private Func<(TaskExample Example, string? Prompt)>? _read;
        private IReadOnlyList<MultipleChoiceAnswer> _batch = [];
        private long _batchStart;

        public Cursor(PaftPredictionDataView parent, DataViewRowCursor inner, IEnumerable<DataViewSchema.Column> needed)
        {
            _parent = parent;
            _inner = inner;
            _active = new bool[parent.Schema.Count];
            foreach (DataViewSchema.Column c in needed)
                _active[c.Index] = true;
            _scores = Enumerable.Range(parent._columns.FirstAdded, parent.Schema.Count - parent._columns.FirstAdded).Any(i => _active[i]);
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _inner.Position;

        public override long Batch => _inner.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
            return _parent._columns.IsAdded(column.Index)
                ? _parent._columns.AddedGetter<TValue>(column, Current)
                : _inner.GetGetter<TValue>(_inner.Schema[column.Index]);
        }

        public override bool MoveNext()
        {
            if (!_inner.MoveNext())
                return false;
            if (_scores && _inner.Position >= _batchStart + _batch.Count)
                ScoreNextBatch();
            return true;
        }

        private MultipleChoiceAnswer Current() => _batch[checked((int)(_inner.Position - _batchStart))];

        private void ScoreNextBatch()
        {
            if (_lookahead is null)
            {
                _lookahead = _parent._input.GetRowCursor(_parent._columns.Inputs.Columns);
                _read = _parent._columns.Inputs.Reader(_lookahead);
            }
            var rows = new List<TaskExample>();
            var prompts = new List<string?>();
            _batchStart = _inner.Position;
            while (rows.Count < _parent._model.BatchSize && _lookahead.MoveNext())
            {
                var (example, prompt) = _read!();
                rows.Add(example);
                prompts.Add(prompt);
            }
            _batch = _parent._model.Answer(rows, prompts);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _lookahead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
