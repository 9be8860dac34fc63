using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Data;
using Paft.MLNet.Scoring;

namespace Paft.MLNet.Model;

/// <summary>
/// An input row seen through a PAFT transformer: the added columns show the answer that <c>answer</c>
/// gives for the current row (from a scored batch, or scored on demand).
/// </summary>
internal sealed class PaftPredictionRow : AddedColumnsRow
{
    private readonly PredictionColumns _columns;
    private readonly Func<MultipleChoiceAnswer> _answer;

    public PaftPredictionRow(PredictionColumns columns, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns,
        Func<MultipleChoiceAnswer> answer)
        : base(columns.OutputSchema, columns.FirstAdded, input, activeColumns)
    {
        _columns = columns;
        _answer = answer;
    }

    /// <summary>Whether any added column is active, i.e. whether rows must be answered at all.</summary>
    public bool NeedsAnswers => AnyAddedActive;

    protected override ValueGetter<TValue> AddedGetter<TValue>(DataViewSchema.Column column) =>
        _columns.AddedGetter<TValue>(column, _answer);
}
