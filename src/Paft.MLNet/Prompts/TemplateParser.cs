using System.Text;

namespace Paft.MLNet.Prompts;

/// <summary>
/// Splits template source into segments the way Python's <c>str.format</c> reads it, resolving the
/// optional backslash escapes of the PAFT file convention on the way so positions stay those of the source.
/// </summary>
internal static class TemplateParser
{
    public static TemplateSegment[] Parse(string text, string id, PromptTextEscaping escaping)
    {
        var segments = new List<TemplateSegment>();
        var literal = new StringBuilder();
        int literalStart = 0;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\\' && escaping == PromptTextEscaping.BackslashSequences && i + 1 < text.Length
                && TryDecodeEscape(text[i + 1], out char decoded))
            {
                literal.Append(decoded);
                i += 2;
            }
            else if (c == '{' && i + 1 < text.Length && text[i + 1] == '{')
            {
                literal.Append('{');
                i += 2;
            }
            else if (c == '}' && i + 1 < text.Length && text[i + 1] == '}')
            {
                literal.Append('}');
                i += 2;
            }
            else if (c == '}')
            {
                throw new PromptTemplateException(id, i, "single '}' with no '{' before it (write '}}' for a literal brace).");
            }
            else if (c == '{')
            {
                int close = FindFieldEnd(text, id, i);
                string name = ReadFieldName(text, id, i, close);
                if (literal.Length > 0)
                    segments.Add(TemplateSegment.Literal(literal.ToString(), literalStart));
                literal.Clear();
                segments.Add(TemplateSegment.Placeholder(name, i));
                i = close + 1;
                literalStart = i;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }
        if (literal.Length > 0)
            segments.Add(TemplateSegment.Literal(literal.ToString(), literalStart));
        return segments.ToArray();
    }

    private static bool TryDecodeEscape(char c, out char decoded)
    {
        decoded = c switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '\\' => '\\', _ => '\0' };
        return decoded != '\0';
    }

    /// <summary>The index of the '}' that closes the field opened at <paramref name="open"/>.</summary>
    private static int FindFieldEnd(string text, string id, int open)
    {
        for (int j = open + 1; j < text.Length; j++)
        {
            if (text[j] == '}')
                return j;
            // Python allows a nested '{' only inside a format spec ({x:{width}}), which we reject anyway.
            if (text[j] == '{')
                throw new PromptTemplateException(id, j,
                    $"'{{' inside the placeholder opened at position {open} (write '{{{{' for a literal brace).");
        }
        throw new PromptTemplateException(id, open, "'{' is never closed by '}' (write '{{' for a literal brace).");
    }

    private static string ReadFieldName(string text, string id, int open, int close)
    {
        string field = text.Substring(open + 1, close - open - 1);
        if (field.Length == 0)
            throw new PromptTemplateException(id, open,
                "empty placeholder '{}' (a positional field) is not supported: name the field, e.g. {ctx}.");

        int specStart = field.IndexOfAny(['!', ':']);
        string name = specStart < 0 ? field : field[..specStart];
        int access = name.IndexOfAny(['.', '[']);
        if (access >= 0)
            throw new PromptTemplateException(id, open + 1 + access,
                $"attribute or index access in '{{{field}}}' is not supported: a placeholder is a plain field name.");
        if (specStart >= 0)
        {
            string what = field[specStart] == '!' ? "a conversion" : "a format spec";
            throw new PromptTemplateException(id, open + 1 + specStart,
                $"'{{{field}}}' has {what}, which is not supported: fields are inserted as plain text.");
        }
        if (name.Length == 0)
            throw new PromptTemplateException(id, open, $"placeholder '{{{field}}}' has no field name.");
        if (name.All(char.IsAsciiDigit))
            throw new PromptTemplateException(id, open,
                $"positional placeholder '{{{name}}}' is not supported: name the field, e.g. {{ctx}}.");
        return name;
    }
}
