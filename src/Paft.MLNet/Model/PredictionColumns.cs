using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;

namespace Paft.MLNet.Model;

/// <summary>
/// The columns a PAFT transformer adds: the predicted label (<c>PredictedLabel</c> unless the trainer was given another
/// name; a key of the option count, its key values the answer letters), the score (<c>Score</c>; probabilities over the
/// options) and, when generating, <c>GeneratedText</c>.
/// </summary>
internal sealed class PredictionColumns
{
    public const string GeneratedText = "GeneratedText";

    public PredictionColumns(PaftPredictor model, DataViewSchema inputSchema)
    {
        Inputs = new PredictionInputs(model.Task, model.Scoring, model.Columns, inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(model.Columns.PredictedLabel, new KeyDataViewType(typeof(uint), model.Task.OptionCount), TaskDataView.AnswerLetterAnnotations(model.Task));
        builder.AddColumn(model.Columns.Score, new VectorDataViewType(NumberDataViewType.Single, model.Task.OptionCount));
        HasGeneratedText = model.Scoring == ScoringMode.Generation;
        if (HasGeneratedText)
            builder.AddColumn(GeneratedText, TextDataViewType.Instance);
        OutputSchema = builder.ToSchema();
        FirstAdded = inputSchema.Count;
    }

    public PredictionInputs Inputs { get; }

    public DataViewSchema OutputSchema { get; }

    public int FirstAdded { get; }

    public bool HasGeneratedText { get; }

    public bool IsAdded(int index) => index >= FirstAdded;

    /// <summary>Input columns needed for <paramref name="outputColumns"/>.</summary>
    public IEnumerable<DataViewSchema.Column> InputColumnsFor(IEnumerable<DataViewSchema.Column> outputColumns)
    {
        var needed = new HashSet<int>();
        foreach (DataViewSchema.Column c in outputColumns)
        {
            if (IsAdded(c.Index))
                needed.UnionWith(Inputs.Columns.Select(x => x.Index));
            else
                needed.Add(c.Index);
        }
        return needed.Order().Select(i => Inputs.Schema[i]);
    }

    /// <summary>A getter of an added column that reads the answer of the current row from <paramref name="current"/>.</summary>
    public ValueGetter<TValue> AddedGetter<TValue>(DataViewSchema.Column column, Func<MultipleChoiceAnswer> current)
    {
        Delegate getter = (column.Index - FirstAdded) switch
        {
            0 => (ValueGetter<uint>)((ref uint value) =>
            {
                int index = current().PredictedIndex;
                value = index < 0 ? 0u : (uint)index + 1; // key 0 = missing: a generation that named no option
            }),
            1 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                float[] p = current().Probabilities;
                var editor = VBufferEditor.Create(ref value, p.Length);
                p.CopyTo(editor.Values);
                value = editor.Commit();
            }),
            _ => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
                value = (current().GeneratedText ?? "").AsMemory()),
        };
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; a getter of {typeof(TValue).Name} was requested.");
    }
}
