using System.Text.Encodings.Web;
using System.Text.Json;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.MLNet.Tasks;

/// <summary>
/// Saves and loads a <see cref="TaskDefinition"/> as a small JSON file, so that a custom task can be handed
/// to the <c>paft</c> tool (<c>--task-def FILE</c>) or to another program:
/// <code>
/// {"format": "paft-task", "version": 1, "name": "colors",
///  "fields": ["question", "A", "B", "C", "D"], "optionFields": ["A", "B", "C", "D"],
///  "answerLabels": ["A", "B", "C", "D"]}
/// </code>
/// <c>answerLabels</c> may be left out (A, B, C, ... then). Rows of such a task are read and written in
/// the generic jsonl layout (<see cref="Readers.TaskReaders.ReadGeneric"/>, <see cref="TaskDataJsonl.Write"/>).
/// </summary>
public static class TaskDefinitionFile
{
    /// <summary>The value of the file's <c>format</c> key.</summary>
    public const string FormatName = "paft-task";

    /// <summary>The file version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The field name the generic jsonl layout reserves for the answer; a task cannot use it as a field.</summary>
    public const string LabelKey = "label";

    private static readonly string[] Keys = ["format", "version", "name", "fields", "optionFields", "answerLabels"];

    /// <summary>Reads a task definition file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid; the one-line message names the file and the key.</exception>
    public static TaskDefinition Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Task definition file '{path}' does not exist.", path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Problem(path, null, "the top level must be a JSON object");
            foreach (JsonProperty property in root.EnumerateObject())
                if (!Keys.Contains(property.Name, StringComparer.Ordinal))
                    throw Problem(path, property.Name, $"is not a key of a task definition (keys: {string.Join(", ", Keys)})");

            if (!root.TryGetProperty("format", out JsonElement format) || format.ValueKind != JsonValueKind.String
                || format.GetString() != FormatName)
                throw Problem(path, "format", $"must be \"{FormatName}\"");
            if (!root.TryGetProperty("version", out JsonElement version) || version.ValueKind != JsonValueKind.Number
                || !version.TryGetInt32(out int number) || number != FormatVersion)
                throw Problem(path, "version", $"must be {FormatVersion} (this library reads version {FormatVersion})");

            string name = RequiredString(path, root, "name");
            IReadOnlyList<string> fields = RequiredStrings(path, root, "fields");
            IReadOnlyList<string> optionFields = RequiredStrings(path, root, "optionFields");
            IReadOnlyList<string>? answerLabels = root.TryGetProperty("answerLabels", out JsonElement labels) && labels.ValueKind != JsonValueKind.Null
                ? Strings(path, labels, "answerLabels")
                : null;
            return Create(path, name, fields, optionFields, answerLabels);
        }
    }

    /// <summary>Writes <paramref name="task"/> to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    /// <param name="task">The task; its field names must be usable as template placeholders and must not be <c>label</c>.</param>
    /// <param name="path">The file to write; its folder is created if needed.</param>
    /// <exception cref="ArgumentException">The task could not be read back (a field name that is no placeholder, or <c>label</c>).</exception>
    public static void Save(TaskDefinition task, string path)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentException.ThrowIfNullOrEmpty(path);
        foreach (string field in task.Fields)
            if (FieldNameProblem(field) is { } problem)
                throw new ArgumentException($"Task '{task.Name}' cannot be saved: field '{field}' {problem}.", nameof(task));
        foreach (string label in task.AnswerLabels)
            if (string.IsNullOrWhiteSpace(label))
                throw new ArgumentException($"Task '{task.Name}' cannot be saved: an answer label is blank.", nameof(task));

        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, options);
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", FormatVersion);
            writer.WriteString("name", task.Name);
            WriteArray(writer, "fields", task.Fields);
            WriteArray(writer, "optionFields", task.OptionFields);
            WriteArray(writer, "answerLabels", task.AnswerLabels);
            writer.WriteEndObject();
        });
    }

    private static TaskDefinition Create(string path, string name, IReadOnlyList<string> fields, IReadOnlyList<string> optionFields,
        IReadOnlyList<string>? answerLabels)
    {
        if (fields.Count == 0)
            throw Problem(path, "fields", "must name at least one field");
        for (int i = 0; i < fields.Count; i++)
            if (FieldNameProblem(fields[i]) is { } problem)
                throw Problem(path, $"fields[{i}]", $"'{fields[i]}' {problem}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < fields.Count; i++)
            if (!seen.Add(fields[i]))
                throw Problem(path, $"fields[{i}]", $"'{fields[i]}' is named twice");
        if (optionFields.Count < 2)
            throw Problem(path, "optionFields", "must name at least two option fields");
        var seenOptions = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < optionFields.Count; i++)
        {
            if (!seen.Contains(optionFields[i]))
                throw Problem(path, $"optionFields[{i}]", $"'{optionFields[i]}' is not one of 'fields'");
            if (!seenOptions.Add(optionFields[i]))
                throw Problem(path, $"optionFields[{i}]", $"'{optionFields[i]}' is named twice");
        }
        if (answerLabels is not null)
        {
            if (answerLabels.Count != optionFields.Count)
                throw Problem(path, "answerLabels", $"has {answerLabels.Count} labels for {optionFields.Count} option fields");
            var seenLabels = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < answerLabels.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(answerLabels[i]) || answerLabels[i].Trim() != answerLabels[i])
                    throw Problem(path, $"answerLabels[{i}]", "must be a non-blank label without surrounding spaces");
                if (!seenLabels.Add(answerLabels[i]))
                    throw Problem(path, $"answerLabels[{i}]", $"'{answerLabels[i]}' is used twice");
            }
        }
        return new TaskDefinition(name, fields, optionFields, answerLabels);
    }

    /// <summary>Why <paramref name="field"/> cannot be a field of a saved task, or null when it can: it must be a
    /// plain template placeholder name (see <see cref="PromptTemplate"/>) and not the generic layout's label key.</summary>
    private static string? FieldNameProblem(string field)
    {
        if (string.IsNullOrWhiteSpace(field))
            return "is blank";
        if (field.IndexOfAny(['{', '}', '.', '[', ']', '!', ':']) >= 0 || field.Any(char.IsWhiteSpace))
            return "is not a plain placeholder name (no braces, '.', '[', ']', '!', ':' or spaces)";
        if (field.All(char.IsAsciiDigit))
            return "is a number, which a template would read as a positional placeholder";
        if (field == LabelKey)
            return $"is reserved: the generic row layout holds the answer in '{LabelKey}'";
        return null;
    }

    private static string RequiredString(string path, JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            throw Problem(path, key, "is missing");
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            throw Problem(path, key, "must be a non-blank string");
        return value.GetString()!;
    }

    private static IReadOnlyList<string> RequiredStrings(string path, JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            throw Problem(path, key, "is missing");
        return Strings(path, value, key);
    }

    private static List<string> Strings(string path, JsonElement value, string key)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw Problem(path, key, "must be an array of strings");
        var items = new List<string>();
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw Problem(path, $"{key}[{items.Count}]", "must be a string");
            items.Add(item.GetString()!);
        }
        return items;
    }

    private static void WriteArray(Utf8JsonWriter writer, string key, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(key);
        foreach (string value in values)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    private static InvalidDataException Problem(string path, string? key, string problem) =>
        new(key is null ? $"Task definition '{path}': {problem}." : $"Task definition '{path}', key '{key}': {problem}.");
}
