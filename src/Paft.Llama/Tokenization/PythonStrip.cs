namespace Paft.Llama.Tokenization;

/// <summary>
/// Python's <c>str.strip()</c> (also Jinja's <c>trim</c>), which the reference chat templates apply to
/// message content. Python's whitespace is .NET's plus U+001C..U+001F (the information separators),
/// so <see cref="string.Trim()"/> alone would keep characters the reference removes.
/// </summary>
internal static class PythonStrip
{
    internal static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    internal static string Strip(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && IsWhiteSpace(text[start]))
            start++;
        while (end > start && IsWhiteSpace(text[end - 1]))
            end--;
        return text[start..end];
    }
}
