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
    private readonly PaftPredictor _model;
    private readonly PredictionColumns _columns;

    public PaftPredictionDataView(IDataView input, PaftPredictor model)
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

    /// <summary>Walks the input in step with a look-ahead cursor that scores the next batch of rows.</summary>
    private sealed class Cursor : DataViewRowCursor
    {
        private readonly PaftPredictionDataView _parent;
        private readonly DataViewRowCursor _inner;
        private readonly PaftPredictionRow _row;
        private DataViewRowCursor? _lookahead;
        private Func<(TaskExample Example, string? Prompt)>? _read;
        private IReadOnlyList<MultipleChoiceAnswer> _batch = [];
        private long _batchStart;

        public Cursor(PaftPredictionDataView parent, DataViewRowCursor inner, IEnumerable<DataViewSchema.Column> needed)
        {
            _parent = parent;
            _inner = inner;
            _row = new PaftPredictionRow(parent._columns, inner, needed, () => _batch[checked((int)(_inner.Position - _batchStart))]);
        }

        public override DataViewSchema Schema => _row.Schema;

        public override long Position => _inner.Position;

        public override long Batch => _inner.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        public override bool MoveNext()
        {
            if (!_inner.MoveNext())
                return false;
            if (_row.NeedsAnswers && _inner.Position >= _batchStart + _batch.Count)
                ScoreNextBatch();
            return true;
        }

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
