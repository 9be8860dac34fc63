using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// Converts task rows to an ML.NET <see cref="IDataView"/> and back.
/// </summary>
/// <remarks>
/// The view has one text column per field of the task, named as the field (<c>ctx</c>, <c>A</c>, ...),
/// and a <c>Label</c> column of type <c>Key&lt;UInt32, OptionCount&gt;</c> whose key values are the
/// answer labels (A, B, ...). A key, not an integer, because that is what ML.NET's multiclass
/// trainers and <c>MulticlassClassification.Evaluate</c> expect of a label, and because the key
/// values carry the letters. As everywhere in ML.NET, key value k+1 stands for option k and 0 for
/// "missing" (an unlabelled row, <see cref="TaskExample.Label"/> -1).
/// </remarks>
public static class TaskDataView
{
    /// <summary>The name of the label column.</summary>
    public const string LabelColumnName = "Label";

    /// <summary>
    /// The annotations of a label key column whose key values are the task's answer letters. "KeyValues" is
    /// ML.NET's annotation kind for key names (its constant is internal); with it the confusion matrix and
    /// MapKeyToValue show A, B, ... instead of 1, 2, ...
    /// </summary>
    internal static DataViewSchema.Annotations AnswerLetterAnnotations(TaskDefinition task)
    {
        var annotations = new DataViewSchema.Annotations.Builder();
        ReadOnlyMemory<char>[] letters = task.AnswerLabels.Select(l => l.AsMemory()).ToArray();
        annotations.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, letters.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(letters.Length, letters));
        return annotations.ToAnnotations();
    }

    /// <summary>A lazy view of <paramref name="examples"/>: the sequence is enumerated again by every cursor.</summary>
    public static IDataView ToDataView(this IEnumerable<TaskExample> examples, TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(task);
        return new TaskExampleDataView(task, examples);
    }

    /// <summary>
    /// Reads task rows back from <paramref name="data"/>: one text column per field of
    /// <paramref name="task"/> and a <c>Label</c> column that is a key of the task's option count
    /// (value k+1 = option k, 0 = unlabelled), an <c>Int32</c> (0-based, -1 = unlabelled) or absent (all unlabelled).
    /// </summary>
    /// <exception cref="ArgumentException">A field column is missing or not text, or the label column has another type.</exception>
    public static IReadOnlyList<TaskExample> ToExamples(IDataView data, TaskDefinition task) =>
        ToExamples(data, task, LabelColumnName, field => field);

    /// <summary>
    /// Reads task rows from <paramref name="data"/> whose label is in <paramref name="labelColumnName"/> and whose field
    /// <c>f</c> is in column <c>columnOf(f)</c>; errors name the column and the type it must have.
    /// </summary>
    internal static IReadOnlyList<TaskExample> ToExamples(IDataView data, TaskDefinition task, string labelColumnName, Func<string, string> columnOf)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(task);
        var fieldColumns = task.Fields.Select(f => RequireTextColumn(data.Schema, columnOf(f))).ToArray();
        DataViewSchema.Column? labelColumn = data.Schema.GetColumnOrNull(labelColumnName);
        DataViewType? labelType = labelColumn?.Type;
        if (labelType is KeyDataViewType key && (key.RawType != typeof(uint) || key.Count != (ulong)task.OptionCount))
            throw new ArgumentException(
                $"Column '{labelColumnName}' is {labelType}; task '{task.Name}' needs Key<UInt32, {task.OptionCount}>.", nameof(data));
        if (labelType is not null and not KeyDataViewType && labelType != NumberDataViewType.Int32)
            throw new ArgumentException(
                $"Column '{labelColumnName}' is {labelType}; expected a UInt32 key or Int32.", nameof(data));

        var needed = labelColumn is { } l ? fieldColumns.Append(l) : fieldColumns;
        var rows = new List<TaskExample>();
        using DataViewRowCursor cursor = data.GetRowCursor(needed);
        var textGetters = fieldColumns.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
        Func<int> readLabel = () => -1;
        if (labelType is KeyDataViewType)
        {
            var getter = cursor.GetGetter<uint>(labelColumn!.Value);
            readLabel = () => { uint v = 0; getter(ref v); return (int)v - 1; };
        }
        else if (labelType is not null)
        {
            var getter = cursor.GetGetter<int>(labelColumn!.Value);
            readLabel = () => { int v = 0; getter(ref v); return v; };
        }

        while (cursor.MoveNext())
        {
            var fields = new Dictionary<string, string>(task.Fields.Count, StringComparer.Ordinal);
            for (int i = 0; i < textGetters.Length; i++)
            {
                ReadOnlyMemory<char> value = default;
                textGetters[i](ref value);
                fields[task.Fields[i]] = value.ToString();
            }
            int label = readLabel();
            if (label < -1 || label >= task.OptionCount)
                throw new InvalidDataException($"Row {cursor.Position}: label {label} is outside -1..{task.OptionCount - 1}.");
            rows.Add(new TaskExample(fields, label, $"row {cursor.Position}"));
        }
        return rows;
    }

    private static DataViewSchema.Column RequireTextColumn(DataViewSchema schema, string name)
    {
        DataViewSchema.Column column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentException($"The data has no column '{name}'.", nameof(schema));
        if (column.Type is not TextDataViewType)
            throw new ArgumentException($"Column '{name}' is {column.Type}; expected text.", nameof(schema));
        return column;
    }
}
