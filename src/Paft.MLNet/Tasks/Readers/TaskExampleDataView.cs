using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// A lazy <see cref="IDataView"/> over task rows: one text column per field of the task, named as the
/// field, and a <c>Label</c> key column (see <see cref="TaskDataView"/>). Each cursor enumerates the
/// source again, so a streaming source is never held in memory.
/// </summary>
internal sealed class TaskExampleDataView : IDataView
{
    private readonly TaskDefinition _task;
    private readonly IEnumerable<TaskExample> _examples;

    public TaskExampleDataView(TaskDefinition task, IEnumerable<TaskExample> examples)
    {
        _task = task;
        _examples = examples;
        Schema = BuildSchema(task);
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _examples is IReadOnlyCollection<TaskExample> collection ? collection.Count : null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private static DataViewSchema BuildSchema(TaskDefinition task)
    {
        var builder = new DataViewSchema.Builder();
        foreach (string field in task.Fields)
            builder.AddColumn(field, TextDataViewType.Instance);

        builder.AddColumn(TaskDataView.LabelColumnName, new KeyDataViewType(typeof(uint), task.OptionCount),
            TaskDataView.AnswerLetterAnnotations(task));
        return builder.ToSchema();
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TaskExampleDataView _parent;
        private readonly IEnumerator<TaskExample> _source;
        private readonly bool[] _active;
        private TaskExample? _current;
        private long _position = -1;

        public Cursor(TaskExampleDataView parent, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _parent = parent;
            _source = parent._examples.GetEnumerator();
            _active = new bool[parent.Schema.Count];
            foreach (var column in columnsNeeded)
                _active[column.Index] = true;
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (!_source.MoveNext())
            {
                _current = null;
                return false;
            }
            _current = _source.Current;
            _position++;
            Validate(_current);
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            TaskDefinition task = _parent._task;
            if (column.Index < task.Fields.Count)
            {
                string field = task.Fields[column.Index];
                ValueGetter<ReadOnlyMemory<char>> text = (ref ReadOnlyMemory<char> value) => value = Current.Fields[field].AsMemory();
                return text as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{field}' is text; asked for {typeof(TValue).Name}.");
            }
            // Key values are 1-based; 0 is ML.NET's missing key, which is what an unlabelled row (-1) becomes.
            ValueGetter<uint> label = (ref uint value) => value = (uint)(Current.Label + 1);
            return label as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{TaskDataView.LabelColumnName}' is a UInt32 key; asked for {typeof(TValue).Name}.");
        }

        private TaskExample Current => _current ?? throw new InvalidOperationException("The cursor is not on a row.");

        private void Validate(TaskExample example)
        {
            TaskDefinition task = _parent._task;
            string where = string.IsNullOrEmpty(example.Source) ? $"row {_position}" : example.Source;
            foreach (string field in task.Fields)
                if (!example.Fields.ContainsKey(field))
                    throw new InvalidDataException($"{where}: field '{field}' of task '{task.Name}' is missing.");
            if (example.Label < -1 || example.Label >= task.OptionCount)
                throw new InvalidDataException($"{where}: label {example.Label} is outside -1..{task.OptionCount - 1}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _source.Dispose();
            base.Dispose(disposing);
        }
    }
}
