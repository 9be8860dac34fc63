using Paft.MLNet.Tasks;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// The generator's default validity check until the prompt-template type supplies its own: braces
/// balance the way Python's <c>str.format</c> reads them (<c>{{</c> and <c>}}</c> are literal braces),
/// every field of the task appears, and no placeholder names something the task lacks.
/// </summary>
internal static class BasicTemplateValidator
{
    public static IReadOnlyList<string> Validate(string templateText, TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(templateText);
        ArgumentNullException.ThrowIfNull(task);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(templateText))
        {
            problems.Add("the template is empty");
            return problems;
        }

        var placeholders = new List<string>();
        for (int i = 0; i < templateText.Length; i++)
        {
            char c = templateText[i];
            if (c == '}')
            {
                if (i + 1 < templateText.Length && templateText[i + 1] == '}')
                    i++;
                else
                    problems.Add($"unmatched '}}' at character {i}");
                continue;
            }
            if (c != '{')
                continue;
            if (i + 1 < templateText.Length && templateText[i + 1] == '{')
            {
                i++;
                continue;
            }

            int close = templateText.IndexOfAny(['{', '}'], i + 1);
            if (close < 0 || templateText[close] == '{')
            {
                problems.Add($"unmatched '{{' at character {i}");
                continue;
            }
            // str.format allows {name:spec} and {name!conversion}; the field name is what comes before.
            string inner = templateText[(i + 1)..close];
            int end = inner.IndexOfAny([':', '!']);
            placeholders.Add((end < 0 ? inner : inner[..end]).Trim());
            i = close;
        }

        foreach (string field in task.Fields)
            if (!placeholders.Contains(field, StringComparer.Ordinal))
                problems.Add($"missing placeholder {{{field}}}");
        foreach (string name in placeholders.Distinct(StringComparer.Ordinal))
            if (!task.Fields.Contains(name, StringComparer.Ordinal))
                problems.Add(name.Length == 0
                    ? "an empty placeholder {} (positional fields are not allowed)"
                    : $"unknown placeholder {{{name}}} (task '{task.Name}' has {string.Join(", ", task.Fields.Select(f => "{" + f + "}"))})");
        return problems;
    }
}
