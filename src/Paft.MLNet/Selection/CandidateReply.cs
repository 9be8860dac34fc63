using System.Text.Json;
using System.Text.RegularExpressions;

namespace Paft.MLNet.Selection;

/// <summary>
/// Reads candidate templates out of a chat model's reply: a JSON array of strings (possibly inside a
/// code fence or after a sentence of preamble), or else one template a line with optional numbering,
/// where the two characters <c>\n</c> stand for a line break.
/// </summary>
internal static partial class CandidateReply
{
    [GeneratedRegex(@"^\s*(?:\d{1,3}\s*[.):]|[-*•])\s+")]
    private static partial Regex ListMarker();

    public static IReadOnlyList<string> Parse(string? reply)
    {
        string text = (reply ?? "").Replace("\r\n", "\n").Trim();
        int open = text.IndexOf('[');
        int close = text.LastIndexOf(']');
        if (open >= 0 && close > open)
        {
            try
            {
                string[]? array = JsonSerializer.Deserialize<string[]>(text[open..(close + 1)]);
                if (array is not null)
                    return array.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).ToArray();
            }
            catch (JsonException)
            {
                // Not JSON after all (a template may contain brackets): read it line by line.
            }
        }
        return text.Split('\n')
            .Where(line => !line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            .Select(line => ListMarker().Replace(line, "").Trim().Trim('"'))
            .Where(line => line.Contains('{'))
            .Select(line => line.Replace("\\n", "\n"))
            .ToArray();
    }
}
