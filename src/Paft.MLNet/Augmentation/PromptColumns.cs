using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Prompts;

namespace Paft.MLNet.Augmentation;

/// <summary>
/// What the transform adds to a schema, and how the two new columns are computed from an input row.
/// Shared by the lazy data view (training) and the row-to-row mapper (prediction engines).
/// </summary>
internal sealed class PromptColumns
{
    private readonly PromptAugmentationOptions _options;
    private readonly TemplateSampler _sampler;

    public PromptColumns(PromptAugmentationOptions options, TemplateSampler sampler, DataViewSchema inputSchema)
    {
        _options = options;
        _sampler = sampler;
        InputSchema = inputSchema;
        FieldColumnIndices = ResolveFieldColumns(options, inputSchema);

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(options.PromptColumnName, TextDataViewType.Instance);
        builder.AddColumn(options.PromptIdColumnName, TextDataViewType.Instance);
        OutputSchema = builder.ToSchema();
        PromptIndex = inputSchema.Count;
        PromptIdIndex = inputSchema.Count + 1;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public int PromptIndex { get; }

    public int PromptIdIndex { get; }

    /// <summary>Input column index of each task field, in the task's field order.</summary>
    public int[] FieldColumnIndices { get; }

    public bool IsAdded(int outputIndex) => outputIndex >= InputSchema.Count;

    public int TemplateIndex(long position) => _sampler.TemplateIndex(_options.Epoch, position);

    public PromptTemplate Template(long position) => _options.Templates[TemplateIndex(position)];

    /// <summary>The input columns needed to compute the requested output columns.</summary>
    public IEnumerable<DataViewSchema.Column> InputColumnsFor(IEnumerable<DataViewSchema.Column> outputColumns)
    {
        var needed = new HashSet<int>();
        foreach (DataViewSchema.Column column in outputColumns)
        {
            if (IsAdded(column.Index))
            {
                if (column.Index == PromptIndex)
                    needed.UnionWith(FieldColumnIndices);
            }
            else
            {
                needed.Add(column.Index);
            }
        }
        return needed.Order().Select(i => InputSchema[i]);
    }

    /// <summary>Computes the prompt and its id for the row under the input <paramref name="row"/>'s position.</summary>
    public RowRenderer CreateRenderer(DataViewRow row, bool renderText) => new(this, _options, row, renderText);

    private static int[] ResolveFieldColumns(PromptAugmentationOptions options, DataViewSchema schema)
    {
        var indices = new int[options.Task.Fields.Count];
        for (int i = 0; i < indices.Length; i++)
        {
            string field = options.Task.Fields[i];
            string name = options.ColumnOf(field);
            DataViewSchema.Column? column = schema.GetColumnOrNull(name);
            if (column is null)
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Input column '{name}' (task field '{field}' of '{options.Task.Name}') was not found. " +
                    $"The input has: {string.Join(", ", schema.Select(c => c.Name))}.");
            if (column.Value.Type is not TextDataViewType)
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Input column '{name}' (task field '{field}') has type {column.Value.Type}; text is expected.");
            indices[i] = column.Value.Index;
        }
        return indices;
    }

    /// <summary>Renders lazily, once per row position.</summary>
    internal sealed class RowRenderer
    {
        private readonly PromptColumns _columns;
        private readonly PromptAugmentationOptions _options;
        private readonly DataViewRow _row;
        private readonly ValueGetter<ReadOnlyMemory<char>>[] _fieldGetters;
        private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);
        private long _renderedPosition = -1;
        private ReadOnlyMemory<char> _prompt;

        public RowRenderer(PromptColumns columns, PromptAugmentationOptions options, DataViewRow row, bool renderText)
        {
            _columns = columns;
            _options = options;
            _row = row;
            _fieldGetters = renderText
                ? columns.FieldColumnIndices.Select(i => row.GetGetter<ReadOnlyMemory<char>>(row.Schema[i])).ToArray()
                : [];
        }

        public void GetPrompt(ref ReadOnlyMemory<char> value)
        {
            long position = _row.Position;
            if (position != _renderedPosition)
            {
                ReadOnlyMemory<char> text = default;
                for (int i = 0; i < _fieldGetters.Length; i++)
                {
                    _fieldGetters[i](ref text);
                    _fields[_options.Task.Fields[i]] = text.ToString();
                }
                _prompt = _columns.Template(position).Render(_fields).AsMemory();
                _renderedPosition = position;
            }
            value = _prompt;
        }

        public void GetPromptId(ref ReadOnlyMemory<char> value) =>
            value = _columns.Template(_row.Position).Id.AsMemory();
    }
}
