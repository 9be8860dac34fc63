using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// Pulls candidate templates out of an LLM's reply: a JSON array of strings (or an object holding
/// one), or one template a line with optional numbering or bullets; code fences are stripped. In the
/// line form the two characters <c>\n</c> stand for a line break, as the meta-prompt asks.
/// </summary>
internal static partial class TemplateReplyParser
{
    [GeneratedRegex(@"^(?:\d{1,3}\s*[.):]|[-*+•])\s+")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"^\[\s*(?:""|\]|$)")]
    private static partial Regex JsonArrayStart();

    [GeneratedRegex(@"^\{\s*""")]
    private static partial Regex JsonObjectStart();

    /// <summary>The candidates, or why the reply holds none.</summary>
    public static (IReadOnlyList<string> Candidates, string? Error) Parse(string? reply)
    {
        if (string.IsNullOrWhiteSpace(reply))
            return ([], "the reply is empty");

        string text = StripCodeFences(reply.Replace("\r\n", "\n")).Trim();
        int jsonStart = FindJsonStart(text);
        if (jsonStart >= 0)
            return ParseJson(text[jsonStart..]);

        var candidates = new List<string>();
        foreach (string rawLine in text.Split('\n'))
        {
            string line = ListMarker().Replace(rawLine.Trim(), "").Trim();
            line = Unquote(line.TrimEnd(',').Trim());
            // Lines without a placeholder are the model's commentary ("Here are ten templates:").
            if (!line.Contains('{'))
                continue;
            candidates.Add(line.Replace("\\n", "\n").Trim());
        }
        return candidates.Count == 0
            ? ([], "no templates found in the reply (expected a JSON array of strings or one template a line)")
            : (candidates, null);
    }

    /// <summary>Where JSON begins: the whole text, or the first line that opens an array after some preamble.</summary>
    private static int FindJsonStart(string text)
    {
        if (JsonArrayStart().IsMatch(text) || JsonObjectStart().IsMatch(text))
            return 0;
        int offset = 0;
        foreach (string line in text.Split('\n'))
        {
            if (JsonArrayStart().IsMatch(line.TrimStart()))
                return offset + (line.Length - line.TrimStart().Length);
            offset += line.Length + 1;
        }
        return -1;
    }

    private static (IReadOnlyList<string>, string?) ParseJson(string json)
    {
        // Tolerate trailing commentary after the closing bracket.
        int end = json.StartsWith('[') ? json.LastIndexOf(']') : json.LastIndexOf('}');
        if (end > 0)
            json = json[..(end + 1)];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            return ([], $"unparseable JSON: {e.Message}");
        }

        using (document)
        {
            JsonElement array = document.RootElement;
            if (array.ValueKind == JsonValueKind.Object)
            {
                // Some models wrap the list: {"templates": [...]}; take the first array of strings.
                JsonElement? found = null;
                foreach (JsonProperty property in array.EnumerateObject())
                    if (property.Value.ValueKind == JsonValueKind.Array)
                    {
                        found = property.Value;
                        break;
                    }
                if (found is null)
                    return ([], "the JSON object in the reply holds no array of templates");
                array = found.Value;
            }
            if (array.ValueKind != JsonValueKind.Array)
                return ([], $"the JSON reply is a {array.ValueKind}, not an array of templates");

            var candidates = new List<string>();
            int index = 0;
            foreach (JsonElement element in array.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                    return ([], $"element {index} of the JSON array is a {element.ValueKind}, not a string");
                candidates.Add(element.GetString()!.Replace("\r\n", "\n").Trim());
                index++;
            }
            return candidates.Count == 0 ? ([], "the JSON array in the reply is empty") : (candidates, null);
        }
    }

    /// <summary>The contents of the reply's fenced blocks, or the reply itself when it has none.</summary>
    private static string StripCodeFences(string text)
    {
        if (!text.Contains("```", StringComparison.Ordinal))
            return text;
        var inside = new StringBuilder();
        bool inFence = false;
        foreach (string line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;   // the opening line may carry a language tag (```json); it is dropped
                continue;
            }
            if (inFence)
                inside.Append(line).Append('\n');
        }
        return inside.ToString();
    }

    private static string Unquote(string line)
    {
        if (line.Length >= 2 && ((line[0] == '"' && line[^1] == '"') || (line[0] == '\u201C' && line[^1] == '\u201D')))
            return line[1..^1];
        return line;
    }
}
