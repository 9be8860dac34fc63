using System.Text;
using System.Text.RegularExpressions;

namespace Paft.MLNet.Evaluation;

/// <summary>
/// Translates a Python <c>re</c> pattern, searched with <c>re.DOTALL</c>, into a .NET <see cref="Regex"/> that matches
/// the same strings at the same places — for the constructs OpenCompass's answer patterns use, and refusing any other
/// (so a new upstream pattern cannot be mistranslated silently).
/// </summary>
/// <remarks>
/// Where the two engines differ, and what is done about it:
/// <list type="bullet">
/// <item><c>\s</c>/<c>\S</c>: Python's set includes U+001C–U+001F; written out as <see cref="PythonWhitespace"/>.</item>
/// <item><c>.</c> and <c>\S</c> match one code point in Python but one UTF-16 unit in .NET; they become "a surrogate
/// pair, else one unit", so an emoji counts as one character in both.</item>
/// <item><c>(?i)</c>: Python folds <c>i</c> with U+0130 and U+0131, <c>k</c> with U+212A (Kelvin) and <c>s</c> with
/// U+017F (long s), measured with Python 3.11's <c>re</c>; .NET's <c>RegexOptions.IgnoreCase</c> depends on its own
/// tables and culture. So no .NET option is used: each letter becomes a class of the variants Python accepts.</item>
/// <item><c>{</c> that starts no repeat count is a literal in Python; it is escaped here.</item>
/// <item><c>^</c>, <c>$</c> (end, or before a final newline), groups, <c>?</c>/<c>*</c>/<c>+</c>, lazy repeats,
/// alternation and backtracking order mean the same in both. <c>\d</c>, <c>\w</c>, <c>\b</c> (Unicode-wide in Python)
/// and negated classes are not used by the patterns, so they are refused rather than translated.</item>
/// </list>
/// </remarks>
internal static class PythonRegex
{
    private const string SurrogatePair = @"[\uD800-\uDBFF][\uDC00-\uDFFF]";
    private const string AnyCodePoint = "(?:" + SurrogatePair + @"|[\s\S])";
    private const string NonSpaceCodePoint = "(?:" + SurrogatePair + "|[^" + PythonWhitespace.ClassContents + "])";
    private const string IgnoreCasePrefix = "(?i)";

    /// <summary>The .NET regex for <paramref name="pattern"/>, a Python pattern searched with <c>re.DOTALL</c>.</summary>
    /// <exception cref="NotSupportedException">The pattern uses a construct this translation does not cover.</exception>
    public static Regex Translate(string pattern) => new(ToDotNet(pattern), RegexOptions.CultureInvariant);

    /// <summary>The .NET pattern text for <paramref name="pattern"/>; see <see cref="Translate"/>.</summary>
    public static string ToDotNet(string pattern)
    {
        bool ignoreCase = pattern.StartsWith(IgnoreCasePrefix, StringComparison.Ordinal);
        string source = ignoreCase ? pattern[IgnoreCasePrefix.Length..] : pattern;
        var result = new StringBuilder();
        bool inClass = false;
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            if (c == '\\')
            {
                if (i + 1 == source.Length)
                    throw Unsupported(pattern, "a trailing backslash");
                char escaped = source[++i];
                result.Append(escaped switch
                {
                    's' => inClass ? PythonWhitespace.ClassContents : "[" + PythonWhitespace.ClassContents + "]",
                    'S' when !inClass => NonSpaceCodePoint,
                    _ when char.IsAsciiLetterOrDigit(escaped) || escaped == 'S' => throw Unsupported(pattern, "\\" + escaped),
                    _ => "\\" + escaped, // an escaped punctuation character is that character in both
                });
                continue;
            }
            if (inClass)
            {
                if (c == ']')
                    inClass = false;
                result.Append(c switch
                {
                    ']' => "]",
                    '[' => @"\[", // literal inside a Python class; .NET could read "-[" as class subtraction
                    _ => Literal(c, ignoreCase, pattern, inClass: true),
                });
                continue;
            }
            switch (c)
            {
                case '[':
                    if (i + 1 < source.Length && source[i + 1] is '^' or ']')
                        throw Unsupported(pattern, "a class starting with ^ or ]");
                    inClass = true;
                    result.Append('[');
                    break;
                case '.':
                    result.Append(AnyCodePoint);
                    break;
                case '{':
                    if (i + 1 < source.Length && (char.IsAsciiDigit(source[i + 1]) || source[i + 1] == ','))
                        throw Unsupported(pattern, "a {m,n} repeat count");
                    result.Append(@"\{");
                    break;
                case '}':
                    result.Append(@"\}");
                    break;
                case '(':
                    if (i + 1 < source.Length && source[i + 1] == '?')
                    {
                        if (i + 2 >= source.Length || source[i + 2] != ':')
                            throw Unsupported(pattern, "a (? group other than (?: and a leading (?i)");
                        result.Append("(?:");
                        i += 2;
                    }
                    else
                        result.Append('(');
                    break;
                case ')' or '|' or '?' or '*' or '+' or '^' or '$':
                    result.Append(c);
                    break;
                default:
                    result.Append(Literal(c, ignoreCase, pattern, inClass: false));
                    break;
            }
        }
        if (inClass)
            throw Unsupported(pattern, "an unclosed class");
        return result.ToString();
    }

    /// <summary>A literal character, as a class of the characters Python's <c>(?i)</c> matches it with when folding.</summary>
    private static string Literal(char c, bool ignoreCase, string pattern, bool inClass)
    {
        if (!ignoreCase || char.ToUpperInvariant(c) == char.ToLowerInvariant(c))
            return c is '#' or ' ' ? "\\" + c : c.ToString();
        if (!char.IsAsciiLetter(c))
            throw Unsupported(pattern, $"case-insensitive matching of '{c}'");
        string variants = char.ToLowerInvariant(c) switch
        {
            'i' => "Ii\u0130\u0131",
            'k' => "Kk\u212A",
            's' => "Ss\u017F",
            char lower => $"{char.ToUpperInvariant(lower)}{lower}",
        };
        return inClass ? variants : "[" + variants + "]";
    }

    private static NotSupportedException Unsupported(string pattern, string what) =>
        new($"The Python pattern '{pattern}' uses {what}, which the translation to .NET does not cover.");
}
