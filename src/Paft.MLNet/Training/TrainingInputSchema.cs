using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Augmentation;
using Paft.MLNet.Scoring;

namespace Paft.MLNet.Training;

/// <summary>
/// The input columns every PAFT trainer needs, checked before anything is loaded (in <c>GetOutputSchema</c> on a
/// <see cref="SchemaShape"/>, in <c>Fit</c> on the data's schema): one text column per task field (under its mapped
/// name) and the label, a key of the option count or an <see cref="int"/>.
/// </summary>
internal static class TrainingInputSchema
{
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has another type; the message names the column and the type it needs.</exception>
    public static void Check(SchemaShape inputSchema, PaftTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Check(Find(inputSchema), options, requireLabel: true);
    }

    /// <summary>Checks the field columns only (a model that is not trained needs no label).</summary>
    public static void CheckFields(DataViewSchema inputSchema, PaftTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Check(Find(inputSchema), options, requireLabel: false);
    }

    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has another type; the message names the column and the type it needs.</exception>
    public static void Check(DataViewSchema inputSchema, PaftTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Check(Find(inputSchema), options, requireLabel: true);
    }

    /// <summary>
    /// What a PAFT estimator made with <paramref name="options"/> outputs: the input checked (with the label when
    /// <paramref name="requireLabel"/>), plus the predicted-label and score columns under the options' names, and
    /// <c>GeneratedText</c> in generation mode.
    /// </summary>
    public static SchemaShape OutputSchema(MLContext mlContext, SchemaShape inputSchema, PaftTrainerOptions options, bool requireLabel)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Check(Find(inputSchema), options, requireLabel);
        return SchemaShapes.WithPredictionColumns(mlContext, inputSchema, options.Task.AnswerLabels, options.Scoring == ScoringMode.Generation,
            options.PredictedLabelColumnName, options.ScoreColumnName);
    }

    private static Func<string, Shape?> Find(SchemaShape schema) => name => schema.Where(c => c.Name == name).Select(c => (Shape?)Of(c)).LastOrDefault();

    private static Func<string, Shape?> Find(DataViewSchema schema) => name => schema.GetColumnOrNull(name) is { } c ? Of(c.Type) : null;

    private static void Check(Func<string, Shape?> find, PaftTrainerOptions options, bool requireLabel)
    {
        foreach (string field in options.Task.Fields)
        {
            string name = options.Columns.ColumnOf(field);
            string of = name == field ? $"a field of task '{options.Task.Name}'" : $"field '{field}' of task '{options.Task.Name}'";
            Shape column = find(name) ?? throw Mismatch(name, $"the input has no column '{name}' ({of}); expected text");
            if (!column.IsText)
                throw Mismatch(name, $"column '{name}' ({of}) must be text; it is {column.Description}");
        }
        if (!requireLabel)
            return;
        string label = options.LabelColumnName;
        string expected = $"Key<UInt32, {options.Task.OptionCount}> or Int32";
        Shape labelColumn = find(label) ?? throw Mismatch(label, $"the input has no label column '{label}'; expected {expected}");
        if (!labelColumn.IsLabel)
            throw Mismatch(label, $"label column '{label}' must be {expected}; it is {labelColumn.Description}");
    }

    private static ArgumentOutOfRangeException Mismatch(string column, string message) =>
        new("inputSchema", $"Schema mismatch for input column '{column}': {message}.");

    private static Shape Of(SchemaShape.Column c)
    {
        bool scalar = c.Kind == SchemaShape.Column.VectorKind.Scalar;
        string description = (c.IsKey ? $"Key<{c.ItemType}>" : c.ItemType.ToString()) + (scalar ? "" : $" ({c.Kind})");
        return new Shape(scalar && c.ItemType is TextDataViewType,
            scalar && (c.IsKey ? c.ItemType.RawType == typeof(uint) : c.ItemType == NumberDataViewType.Int32), description);
    }

    private static Shape Of(DataViewType type) =>
        new(type is TextDataViewType, type is KeyDataViewType { RawType: var raw } ? raw == typeof(uint) : type == NumberDataViewType.Int32,
            $"{type}");

    /// <summary>What the check needs to know of a column, from either kind of schema.</summary>
    private sealed record Shape(bool IsText, bool IsLabel, string Description);
}
