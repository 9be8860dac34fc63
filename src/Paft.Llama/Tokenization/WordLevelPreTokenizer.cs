namespace Paft.Llama.Tokenization;

/// <summary>
/// Cuts text into the pieces a <see cref="WordLevelTokenizer"/> looks up: a run of ASCII letters or a
/// single ASCII digit, each with the one space before it if there is one (<c>" key"</c>); any other
/// character alone, also with a preceding space (<c>" ("</c>, <c>"."</c>); a newline alone; a space that
/// no piece took alone. Concatenating the pieces gives the text back exactly, which is what makes the
/// tokenizer lossless.
/// </summary>
internal static class WordLevelPreTokenizer
{
    /// <summary>The pieces of <paramref name="text"/>, in order; their concatenation is <paramref name="text"/>.</summary>
    public static IEnumerable<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            // A single space attaches to the piece after it, unless that piece is whitespace too.
            if (text[i] == ' ' && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]))
                i++;
            char c = text[i];
            if (IsAsciiLetter(c))
            {
                while (i < text.Length && IsAsciiLetter(text[i]))
                    i++;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i += 2; // one code point; it goes to bytes unless the vocabulary has it
            }
            else
            {
                i++;
            }
            yield return text[start..i];
        }
    }

    private static bool IsAsciiLetter(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');
}
