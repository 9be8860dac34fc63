using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Model;

/// <summary>
/// Which input columns a prediction reads (a <c>Prompt</c> text column if present, otherwise the task's
/// fields rendered with the inference template) and how to read one row of them.
/// </summary>
internal sealed class PredictionInputs
{
    public const string PromptColumnName = "Prompt";

    public PredictionInputs(TaskDefinition task, ScoringMode scoring, PaftColumns columns, DataViewSchema schema)
    {
        Schema = schema;
        DataViewSchema.Column? prompt = schema.GetColumnOrNull(PromptColumnName);
        PromptIndex = prompt is { Type: TextDataViewType } p ? p.Index : -1;
        bool needOptions = scoring is ScoringMode.OptionText or ScoringMode.OptionTextNormalized;
        IEnumerable<string> required = PromptIndex >= 0 ? (needOptions ? task.OptionFields : []) : task.Fields;
        Fields = required.Select(field =>
        {
            string name = columns.ColumnOf(field);
            string of = name == field ? $"a field of task '{task.Name}'" : $"field '{field}' of task '{task.Name}'";
            DataViewSchema.Column column = schema.GetColumnOrNull(name)
                ?? throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Input column '{name}' ({of}) was not found" +
                    (PromptIndex < 0 ? " and there is no 'Prompt' column to use instead." : "."));
            if (column.Type is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(schema), $"Input column '{name}' ({of}) must be text; it is {column.Type}.");
            return (field, column.Index);
        }).ToArray();
    }

    public DataViewSchema Schema { get; }

    public int PromptIndex { get; }

    public (string Field, int Index)[] Fields { get; }

    public IEnumerable<DataViewSchema.Column> Columns =>
        Fields.Select(f => Schema[f.Index]).Concat(PromptIndex >= 0 ? [Schema[PromptIndex]] : []);

    /// <summary>Reads one row's inputs through getters made once per cursor.</summary>
    public Func<(TaskExample Example, string? Prompt)> Reader(DataViewRow row)
    {
        var getters = Fields.Select(f => (f.Field, Get: row.GetGetter<ReadOnlyMemory<char>>(row.Schema[f.Index]))).ToArray();
        ValueGetter<ReadOnlyMemory<char>>? prompt = PromptIndex >= 0 ? row.GetGetter<ReadOnlyMemory<char>>(row.Schema[PromptIndex]) : null;
        return () =>
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            ReadOnlyMemory<char> value = default;
            foreach (var (field, get) in getters)
            {
                get(ref value);
                fields[field] = value.ToString();
            }
            string? text = null;
            if (prompt is not null)
            {
                prompt(ref value);
                text = value.ToString();
            }
            return (new TaskExample(fields, -1, $"row {row.Position}"), text);
        };
    }
}
