using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Augmentation;

/// <summary>
/// Builds <see cref="SchemaShape"/>s with added text columns. <c>SchemaShape.Column</c>'s constructor is
/// internal to ML.NET, so the columns are minted by asking a no-op <c>CustomMapping</c> estimator (whose
/// output columns we name through a <see cref="SchemaDefinition"/>) for its output shape.
/// </summary>
internal static class SchemaShapes
{
    public static SchemaShape WithTextColumns(MLContext mlContext, SchemaShape input, string first, string second)
    {
        SchemaDefinition output = SchemaDefinition.Create(typeof(TwoTextColumns));
        output[nameof(TwoTextColumns.First)].ColumnName = first;
        output[nameof(TwoTextColumns.Second)].ColumnName = second;
        var mapping = mlContext.Transforms.CustomMapping<NoColumns, TwoTextColumns>(
            static (_, _) => { }, contractName: null, inputSchemaDefinition: null, outputSchemaDefinition: output);
        return mapping.GetOutputSchema(input);
    }

    private sealed class NoColumns;

    private sealed class TwoTextColumns
    {
        public string First { get; set; } = "";

        public string Second { get; set; } = "";
    }
}
