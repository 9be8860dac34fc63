using System.Text;
using Paft.MLNet.Prompts;

namespace Paft.MLNet.Perturbation;

/// <summary>
/// A template being edited: its literal and placeholder parts in order, literal text with escapes
/// resolved. Edits change literal parts only, so placeholders cannot be damaged; <see cref="ToSource"/>
/// writes the parts back in the original escaping convention, doubling braces in literal text.
/// </summary>
internal sealed class TemplateDraft
{
    private TemplateDraft(List<Part> parts, PromptTextEscaping escaping)
    {
        Parts = parts;
        Escaping = escaping;
    }

    /// <summary>One literal or placeholder; literal text is mutable.</summary>
    internal sealed class Part(bool isPlaceholder, string value)
    {
        public bool IsPlaceholder { get; } = isPlaceholder;

        public string Value { get; set; } = value;
    }

    public List<Part> Parts { get; }

    public PromptTextEscaping Escaping { get; }

    public static TemplateDraft From(PromptTemplate template) =>
        new(template.Segments.Select(s => new Part(s.IsPlaceholder, s.Value)).ToList(), template.Escaping);

    public TemplateDraft Clone() => new(Parts.Select(p => new Part(p.IsPlaceholder, p.Value)).ToList(), Escaping);

    /// <summary>Index of the placeholder part for <paramref name="field"/>'s first occurrence, or -1.</summary>
    public int IndexOfPlaceholder(string field) => Parts.FindIndex(p => p.IsPlaceholder && p.Value == field);

    /// <summary>The literal part at the start, created empty when the template starts with a placeholder.</summary>
    public Part LeadingLiteral()
    {
        if (Parts.Count == 0 || Parts[0].IsPlaceholder)
            Parts.Insert(0, new Part(false, ""));
        return Parts[0];
    }

    /// <summary>The literal part at the end, created empty when the template ends with a placeholder.</summary>
    public Part TrailingLiteral()
    {
        if (Parts.Count == 0 || Parts[^1].IsPlaceholder)
            Parts.Add(new Part(false, ""));
        return Parts[^1];
    }

    /// <summary>The template source in the original escaping convention.</summary>
    public string ToSource()
    {
        var builder = new StringBuilder();
        foreach (Part part in Parts)
        {
            if (part.IsPlaceholder)
            {
                builder.Append('{').Append(part.Value).Append('}');
                continue;
            }
            foreach (char c in part.Value)
            {
                switch (c)
                {
                    case '{': builder.Append("{{"); break;
                    case '}': builder.Append("}}"); break;
                    case '\\' when Escaping == PromptTextEscaping.BackslashSequences: builder.Append(@"\\"); break;
                    case '\n' when Escaping == PromptTextEscaping.BackslashSequences: builder.Append(@"\n"); break;
                    case '\t' when Escaping == PromptTextEscaping.BackslashSequences: builder.Append(@"\t"); break;
                    case '\r' when Escaping == PromptTextEscaping.BackslashSequences: builder.Append(@"\r"); break;
                    default: builder.Append(c); break;
                }
            }
        }
        return builder.ToString();
    }
}
