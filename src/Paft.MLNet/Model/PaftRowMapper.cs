using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Model;

/// <summary>The PAFT transformer as a row-to-row mapper, for <c>PredictionEngine</c>: one row, one answer.</summary>
internal sealed class PaftRowMapper : IRowToRowMapper
{
    private readonly PaftPredictor _model;
    private readonly PredictionColumns _columns;

    public PaftRowMapper(PaftPredictor model, DataViewSchema inputSchema)
    {
        _model = model;
        _columns = new PredictionColumns(model, inputSchema);
    }

    public DataViewSchema InputSchema => _columns.Inputs.Schema;

    public DataViewSchema OutputSchema => _columns.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        _columns.InputColumnsFor(dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        Func<(TaskExample Example, string? Prompt)>? read = null;
        long answeredPosition = long.MinValue;
        MultipleChoiceAnswer? answer = null;

        // A prediction engine reuses the row for every call and moves its position forward; a negative
        // position means "unknown", so the answer is then computed again rather than reused.
        MultipleChoiceAnswer Answer()
        {
            if (answer is null || answeredPosition != input.Position || input.Position < 0)
            {
                read ??= _columns.Inputs.Reader(input);
                var (example, prompt) = read();
                answer = _model.Answer([example], [prompt])[0];
                answeredPosition = input.Position;
            }
            return answer;
        }

        return new PaftPredictionRow(_columns, input, activeColumns, Answer);
    }
}
