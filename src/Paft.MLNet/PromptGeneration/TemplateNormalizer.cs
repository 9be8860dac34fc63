using System.Text;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// The form in which two templates count as the same for deduplication: lower case, every run of
/// whitespace (line breaks included) read as one space, no leading or trailing space.
/// </summary>
internal static class TemplateNormalizer
{
    public static string Normalize(string template)
    {
        var builder = new StringBuilder(template.Length);
        bool pendingSpace = false;
        foreach (char c in template.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace)
                builder.Append(' ');
            pendingSpace = false;
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}
