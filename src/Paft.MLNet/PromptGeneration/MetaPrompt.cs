using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// The instruction sent to an LLM asking it for new templates. The wording lives in editable text
/// files (embedded <c>MetaPrompts/zero-shot.txt</c> and <c>few-shot.txt</c>, or a user's own file) with
/// <c>[[MARKER]]</c>s that are filled in from the task; single braces are left alone because the
/// text shows the task's <c>{field}</c> placeholders.
/// </summary>
internal static partial class MetaPrompt
{
    private static readonly string[] Markers =
        ["TASK_NAME", "TASK_DESCRIPTION", "FIELD_LIST", "PLACEHOLDERS", "ANSWER_LABELS", "FIRST_LABEL", "FIRST_OPTION", "COUNT", "EXAMPLES"];

    [GeneratedRegex(@"\[\[([A-Za-z_]+)\]\]")]
    private static partial Regex MarkerPattern();

    /// <summary>The text of a meta-prompt file: the user's file when given, else the embedded one.</summary>
    public static (string Text, string Source) Load(bool fewShot, string? overrideFile)
    {
        if (overrideFile is not null)
        {
            if (!File.Exists(overrideFile))
                throw new FileNotFoundException($"Meta-prompt file '{overrideFile}' does not exist.", overrideFile);
            return (File.ReadAllText(overrideFile), overrideFile);
        }

        string resource = $"Paft.MLNet.PromptGeneration.MetaPrompts.{(fewShot ? "few-shot" : "zero-shot")}.txt";
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded meta-prompt '{resource}' is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return (reader.ReadToEnd(), resource);
    }

    /// <summary>Fills the markers of <paramref name="text"/> for <paramref name="task"/>.</summary>
    /// <exception cref="InvalidDataException">The text uses a marker this code does not know; the message names the source.</exception>
    public static string Fill(string text, string source, TaskDefinition task, string? description, int count,
        IReadOnlyList<string> examples)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TASK_NAME"] = task.Name,
            ["TASK_DESCRIPTION"] = description ?? "",
            ["FIELD_LIST"] = string.Join("\n", task.Fields.Select(f => $"- {{{f}}}: {Role(task, f)}")),
            ["PLACEHOLDERS"] = string.Join(" ", task.Fields.Select(f => "{" + f + "}")),
            ["ANSWER_LABELS"] = string.Join(", ", task.AnswerLabels),
            ["FIRST_LABEL"] = task.AnswerLabels[0],
            ["FIRST_OPTION"] = task.OptionFields[0],
            ["COUNT"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // One example a line, as the meta-prompt says, so a newline inside one is shown as \n.
            ["EXAMPLES"] = string.Join("\n", examples.Select(e => e.Replace("\r\n", "\n").Replace("\n", "\\n"))),
        };

        string filled = MarkerPattern().Replace(text, match =>
            values.TryGetValue(match.Groups[1].Value, out string? value)
                ? value
                : throw new InvalidDataException(
                    $"Meta-prompt '{source}' uses the unknown marker '{match.Value}'. Known markers: {string.Join(", ", Markers.Select(m => $"[[{m}]]"))}."));
        filled = filled.Replace("\r\n", "\n");
        // An empty marker (e.g. no task description) must not leave a gap of blank lines.
        while (filled.Contains("\n\n\n", StringComparison.Ordinal))
            filled = filled.Replace("\n\n\n", "\n\n", StringComparison.Ordinal);
        return filled.Trim();
    }

    private static string Role(TaskDefinition task, string field)
    {
        int option = IndexOf(task.OptionFields, field);
        return option >= 0 ? $"answer option {task.AnswerLabels[option]}" : "part of the question (context)";
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i] == item)
                return i;
        return -1;
    }
}
