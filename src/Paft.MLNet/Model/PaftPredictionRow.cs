using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Scoring;

namespace Paft.MLNet.Model;

/// <summary>
/// An input row seen through a PAFT transformer: input columns pass through; the added columns show the
/// answer that <c>answer</c> gives for the current row (from a scored batch, or scored on demand).
/// </summary>
internal sealed class PaftPredictionRow : DataViewRow
{
    private readonly PredictionColumns _columns;
    private readonly DataViewRow _input;
    private readonly bool[] _active;
    private readonly Func<MultipleChoiceAnswer> _answer;

    public PaftPredictionRow(PredictionColumns columns, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns,
        Func<MultipleChoiceAnswer> answer)
    {
        _columns = columns;
        _input = input;
        _answer = answer;
        _active = new bool[columns.OutputSchema.Count];
        foreach (DataViewSchema.Column c in activeColumns)
            _active[c.Index] = true;
    }

    /// <summary>Whether any added column is active, i.e. whether rows must be answered at all.</summary>
    public bool NeedsAnswers => Enumerable.Range(_columns.FirstAdded, _active.Length - _columns.FirstAdded).Any(i => _active[i]);

    public override DataViewSchema Schema => _columns.OutputSchema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_active[column.Index])
            throw new InvalidOperationException($"Column '{column.Name}' was not requested from this row.");
        return _columns.IsAdded(column.Index)
            ? _columns.AddedGetter<TValue>(column, _answer)
            : _input.GetGetter<TValue>(_input.Schema[column.Index]);
    }
}
