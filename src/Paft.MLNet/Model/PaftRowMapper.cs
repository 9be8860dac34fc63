using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Scoring;

namespace Paft.MLNet.Model;

/// <summary>The PAFT transformer as a row-to-row mapper, for <c>PredictionEngine</c>: one row, one answer.</summary>
internal sealed class PaftRowMapper : IRowToRowMapper
{
    private readonly PaftModel _model;
    private readonly PredictionColumns _columns;

    public PaftRowMapper(PaftModel model, DataViewSchema inputSchema)
    {
        _model = model;
        _columns = new PredictionColumns(model, inputSchema);
    }

    public DataViewSchema InputSchema => _columns.Inputs.Schema;

    public DataViewSchema OutputSchema => _columns.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        _columns.InputColumnsFor(dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new Row(this, input, activeColumns);

    private sealed class Row : DataViewRow
    {
        private readonly PaftRowMapper _parent;
        private readonly DataViewRow _input;
        private readonly bool[] _active;
        private readonly Func<(Tasks.TaskExample Example, string? Prompt)>? _read;
        private long _answeredPosition = long.MinValue;
        private MultipleChoiceAnswer? _answer;

        public Row(PaftRowMapper parent, DataViewRow input, IEnumerable<DataViewSchema.Column> active)
        {
            _parent = parent;
            _input = input;
            _active = new bool[parent.OutputSchema.Count];
            foreach (DataViewSchema.Column c in active)
                _active[c.Index] = true;
            if (Enumerable.Range(parent._columns.FirstAdded, parent.OutputSchema.Count - parent._columns.FirstAdded).Any(i => _active[i]))
                _read = parent._columns.Inputs.Reader(input);
        }

        public override DataViewSchema Schema => _parent.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested.");
            return _parent._columns.IsAdded(column.Index)
                ? _parent._columns.AddedGetter<TValue>(column, Answer)
                : _input.GetGetter<TValue>(_input.Schema[column.Index]);
        }

        // A prediction engine reuses the row for every call; the position tells a new input from the same one.
        private MultipleChoiceAnswer Answer()
        {
            if (_answer is null || _answeredPosition != _input.Position || _input.Position < 0)
            {
                var (example, prompt) = _read!();
                _answer = _parent._model.Answer([example], [prompt])[0];
                _answeredPosition = _input.Position;
            }
            return _answer;
        }
    }
}
