using System.Text.Json;
using System.Text.RegularExpressions;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// HellaSwag in its original jsonl schema (<c>ctx_a</c>, <c>ctx_b</c>, <c>ctx</c>, <c>activity_label</c>,
/// <c>endings</c> (4), <c>label</c>).
/// </summary>
/// <remarks>
/// The PAFT authors evaluated with OpenCompass, whose HellaSwag rows come from lm-evaluation-harness's
/// preprocessing: <c>query = preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize())</c>,
/// then <c>ctx</c> is the query after its first <c>": "</c>; each ending is <c>preprocess(ending)</c>.
/// <c>preprocess</c> trims, turns WikiHow's <c>" [title]"</c> into <c>". "</c>, deletes other
/// <c>[...]</c> markers and collapses double spaces once. We reproduce that exactly (including going
/// through the activity label, which decides how leading markers such as <c>[header]</c> are trimmed).
/// </remarks>
internal static partial class HellaSwagReader
{
    public static TaskReadResult Read(string path, ReaderOptions options)
    {
        TaskDefinition task = TaskDefinition.HellaSwag;
        var rows = new RowCollector(task, options);
        JsonLines.ReadInto(rows, path, (row, source) => [Map(task, row, source, options)]);
        return rows.ToResult();
    }

    private static TaskExample Map(TaskDefinition task, JsonElement row, string source, ReaderOptions options)
    {
        IReadOnlyList<string> endings = JsonFields.Strings(row, "endings", task.OptionCount);
        int label = ReadLabel(task, row);
        string ctx;
        if (options.PreprocessHellaSwag)
        {
            string query = Preprocess(
                JsonFields.String(row, "activity_label") + ": "
                + JsonFields.String(row, "ctx_a") + " " + Capitalize(JsonFields.String(row, "ctx_b")));
            int colon = query.IndexOf(": ", StringComparison.Ordinal);
            ctx = colon < 0 ? query : query[(colon + 2)..];
            endings = endings.Select(Preprocess).ToArray();
        }
        else
        {
            ctx = JsonFields.String(row, "ctx");
        }
        return ExampleBuilder.Create(task, [ctx, .. endings], label, source);
    }

    /// <summary>The label as a number or digit string; an empty string (the unlabelled test split) is -1.</summary>
    private static int ReadLabel(TaskDefinition task, JsonElement row)
    {
        JsonElement value = JsonFields.Property(row, "label");
        if (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0)
            return -1;
        return ExampleBuilder.CheckLabel(task, JsonFields.Integer(row, "label"), "label");
    }

    /// <summary>lm-evaluation-harness's HellaSwag text cleaning (see the class remarks).</summary>
    internal static string Preprocess(string text)
    {
        text = text.Trim();
        text = text.Replace(" [title]", ". ", StringComparison.Ordinal);
        text = BracketMarker().Replace(text, "");
        return text.Replace("  ", " ", StringComparison.Ordinal);
    }

    /// <summary>Python's <c>str.capitalize</c>: first character upper case, the rest lower case.</summary>
    internal static string Capitalize(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].ToLowerInvariant();

    [GeneratedRegex(@"\[.*?\]")]
    private static partial Regex BracketMarker();
}
