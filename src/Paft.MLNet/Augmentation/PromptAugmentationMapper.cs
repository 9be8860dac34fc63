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
        new MappedRow(_columns, input, activeColumns);

    private sealed class MappedRow : DataViewRow
    {
        private readonly PromptColumns _columns;
        private readonly DataViewRow _input;
        private readonly bool[] _active;
        private readonly PromptColumns.RowRenderer _renderer;

        public MappedRow(PromptColumns columns, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
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

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            AugmentedGetters.Get<TValue>(_columns, _renderer, _input, column, _active[column.Index]);

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
    }
}
