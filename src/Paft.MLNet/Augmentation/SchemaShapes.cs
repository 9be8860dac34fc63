using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Augmentation;

/// <summary>
/// Builds <see cref="SchemaShape"/>s with added columns. <c>SchemaShape.Column</c>'s constructor is internal
/// to ML.NET, so the columns are minted by asking a no-op <c>CustomMapping</c> estimator (whose output
/// columns we name and type through a <see cref="SchemaDefinition"/>) for its output shape.
/// </summary>
internal static class SchemaShapes
{
    /// <summary>The input shape plus two text columns.</summary>
    public static SchemaShape WithTextColumns(MLContext mlContext, SchemaShape input, string first, string second) =>
        With(mlContext, input, [(nameof(Slots.Text1), first, null), (nameof(Slots.Text2), second, null)]);

    /// <summary>The input shape plus a predictor's columns: the predicted label (key), the score (vector) and optionally GeneratedText.</summary>
    public static SchemaShape WithPredictionColumns(MLContext mlContext, SchemaShape input, IReadOnlyList<string> answerLabels, bool generatedText,
        string predictedLabelColumnName, string scoreColumnName)
    {
        int optionCount = answerLabels.Count;
        var columns = new List<(string, string, DataViewType?)>
        {
            (nameof(Slots.Key), predictedLabelColumnName, new KeyDataViewType(typeof(uint), optionCount)),
            (nameof(Slots.Vector), scoreColumnName, new VectorDataViewType(NumberDataViewType.Single, optionCount)),
        };
        if (generatedText)
            columns.Add((nameof(Slots.Text1), "GeneratedText", null));
        return With(mlContext, input, columns, definition =>
        {
            // The key's values are the answer letters, as on the Label column (downstream MapKeyToValue needs them).
            ReadOnlyMemory<char>[] letters = answerLabels.Select(l => l.AsMemory()).ToArray();
            definition.Single(c => c.MemberName == nameof(Slots.Key)).AddAnnotation("KeyValues",
                new VBuffer<ReadOnlyMemory<char>>(letters.Length, letters), new VectorDataViewType(TextDataViewType.Instance, letters.Length));
        });
    }

    private static SchemaShape With(MLContext mlContext, SchemaShape input,
        IReadOnlyList<(string Slot, string Name, DataViewType? Type)> columns, Action<SchemaDefinition>? annotate = null)
    {
        SchemaDefinition definition = SchemaDefinition.Create(typeof(Slots));
        foreach (SchemaDefinition.Column unused in definition.Where(c => columns.All(x => x.Slot != c.MemberName)).ToArray())
            definition.Remove(unused);
        foreach (var (slot, name, type) in columns)
        {
            SchemaDefinition.Column column = definition.Single(c => c.MemberName == slot);
            column.ColumnName = name;
            if (type is not null)
                column.ColumnType = type;
        }
        annotate?.Invoke(definition);
        var mapping = mlContext.Transforms.CustomMapping<NoColumns, Slots>(
            static (_, _) => { }, contractName: null, inputSchemaDefinition: null, outputSchemaDefinition: definition);
        return mapping.GetOutputSchema(input);
    }

    private sealed class NoColumns;

    // Members that stand for columns of each type the project adds; the schema definition names and sizes them.
    private sealed class Slots
    {
        public string Text1 { get; set; } = "";

        public string Text2 { get; set; } = "";

        public uint Key { get; set; }

        public float[] Vector { get; set; } = [];
    }
}
