using System.Text.Json;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// Any task in our own jsonl layout: one string property per field of the task, named as the field,
/// and <c>label</c> as a 0-based option index or as an answer label ("B").
/// </summary>
internal static class GenericTaskReader
{
    public static TaskReadResult Read(TaskDefinition task, string path, ReaderOptions options)
    {
        var rows = new RowCollector(task, options);
        JsonLines.ReadInto(rows, path, (row, source) =>
        {
            var values = task.Fields.Select(f => JsonFields.String(row, f)).ToArray();
            JsonElement label = JsonFields.Property(row, "label");
            int index = label.ValueKind == JsonValueKind.String && !label.GetString()!.All(char.IsAsciiDigit)
                ? ExampleBuilder.LabelFromLetter(task, label.GetString()!, "label")
                : ExampleBuilder.CheckLabel(task, JsonFields.Integer(row, "label"), "label");
            return [ExampleBuilder.Create(task, values, index, source)];
        });
        return rows.ToResult();
    }
}
