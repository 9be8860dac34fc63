namespace Paft.MLNet.Evaluation;

/// <summary>
/// Python 3's whitespace: the characters for which <c>str.isspace()</c> is true, which are also what <c>re</c>'s
/// <c>\s</c> matches in a str pattern and what <c>str.strip()</c> removes. It is .NET's <c>\s</c> plus U+001C–U+001F
/// (the information separators, which Unicode gives bidirectional class B or S), and <c>char.IsWhiteSpace</c> plus the
/// same four. Listed here rather than taken from either runtime so the set does not move with a Unicode update.
/// </summary>
internal static class PythonWhitespace
{
    /// <summary>The set as the inside of a .NET character class (no brackets), so it can be merged into another class.</summary>
    public const string ClassContents = @"\t\n\x0B\f\r\x1C-\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

    /// <summary>Whether Python's <c>str.isspace()</c> is true for <paramref name="c"/>.</summary>
    public static bool Contains(char c) => c switch
    {
        >= '\t' and <= '\r' => true,
        >= '\x1C' and <= ' ' => true,
        '\x85' or '\xA0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    /// <summary>Python's <c>text.strip()</c>: <paramref name="text"/> without leading and trailing whitespace.</summary>
    public static string Strip(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && Contains(text[start]))
            start++;
        while (end > start && Contains(text[end - 1]))
            end--;
        return text[start..end];
    }
}
