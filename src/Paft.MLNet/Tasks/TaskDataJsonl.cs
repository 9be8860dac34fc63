using System.Text.Encodings.Web;
using System.Text.Json;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.MLNet.Tasks;

/// <summary>
/// Writes task rows in the generic jsonl layout that <see cref="Readers.TaskReaders.ReadGeneric"/> (and
/// <see cref="Readers.TaskReaders.Read"/> for a task that is not built in) reads back: one object a line,
/// one string property per field of the task in the task's order, then <c>label</c>, the 0-based index
/// of the correct option.
/// </summary>
public static class TaskDataJsonl
{
    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    /// <param name="task">The task the rows belong to.</param>
    /// <param name="rows">The rows; each needs every field of the task and a label in 0..options-1. Fields the task
    /// does not name are not written.</param>
    /// <param name="path">The file to write; its folder is created if needed.</param>
    /// <exception cref="ArgumentException">The task has a field named <c>label</c>; or a row lacks a field, or its label is outside the options (an unlabelled
    /// row, -1, cannot be read back); the message names the row's 0-based index and its source.</exception>
    public static void Write(TaskDefinition task, IEnumerable<TaskExample> rows, string path)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (task.Fields.Contains(TaskDefinitionFile.LabelKey))
            throw new ArgumentException(
                $"Task '{task.Name}' has a field named '{TaskDefinitionFile.LabelKey}', which the generic layout reserves for the answer.", nameof(task));
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.Write(path, stream =>
        {
            int index = 0;
            foreach (TaskExample row in rows)
            {
                string where = row.Source.Length > 0 ? $"row {index} ({row.Source})" : $"row {index}";
                if (row.Label < 0 || row.Label >= task.OptionCount)
                    throw new ArgumentException(
                        $"Cannot write {where} of task '{task.Name}' to '{path}': label {row.Label} is outside 0..{task.OptionCount - 1}.", nameof(rows));
                using (var writer = new Utf8JsonWriter(stream, options))
                {
                    writer.WriteStartObject();
                    foreach (string field in task.Fields)
                    {
                        if (!row.Fields.TryGetValue(field, out string? value))
                            throw new ArgumentException(
                                $"Cannot write {where} of task '{task.Name}' to '{path}': field '{field}' is missing.", nameof(rows));
                        writer.WriteString(field, value);
                    }
                    writer.WriteNumber(TaskDefinitionFile.LabelKey, row.Label);
                    writer.WriteEndObject();
                }
                stream.WriteByte((byte)'\n');
                index++;
            }
        });
    }
}
