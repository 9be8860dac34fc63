using System.Text;

namespace Paft.Llama.Tokenization;

/// <summary>
/// A tiktoken BPE vocabulary: one <c>base64(token bytes) rank</c> line per token, where a token's rank
/// is both its id and its merge priority. Validated line by line so a bad file is reported by name and
/// line rather than by a parser deep inside the tokenizer library.
/// </summary>
internal sealed class TiktokenRanks
{
    private TiktokenRanks(byte[] text, HashSet<int> ranks, int end)
    {
        Text = text;
        Ranks = ranks;
        End = end;
    }

    /// <summary>The vocabulary in tiktoken's text format, ready for <c>TiktokenTokenizer.Create</c>.</summary>
    internal byte[] Text { get; }

    /// <summary>Every rank (= id) of the base vocabulary.</summary>
    internal HashSet<int> Ranks { get; }

    internal int Count => Ranks.Count;

    /// <summary>One more than the highest rank: where Llama 3's special ids start.</summary>
    internal int End { get; }

    /// <summary>Whether <paramref name="data"/> looks like tiktoken text (its first line is <c>base64 rank</c>).</summary>
    internal static bool LooksLikeTiktoken(ReadOnlySpan<byte> data)
    {
        int end = data.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line = (end < 0 ? data : data[..end]).TrimEnd((byte)'\r');
        int space = line.IndexOf((byte)' ');
        if (space <= 0 || space == line.Length - 1)
            return false;
        foreach (byte b in line[..space])
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'+' or (byte)'/' or (byte)'='))
                return false;
        foreach (byte b in line[(space + 1)..])
            if (!char.IsAsciiDigit((char)b))
                return false;
        return true;
    }

    /// <summary>Reads and checks tiktoken text; <paramref name="source"/> names the file in errors.</summary>
    internal static TiktokenRanks Parse(byte[] data, string source)
    {
        var ranks = new HashSet<int>();
        int end = 0;
        Span<byte> buffer = stackalloc byte[4096];
        string text = Encoding.ASCII.GetString(data);
        int lineNumber = 0;
        foreach (ReadOnlySpan<char> raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            ReadOnlySpan<char> line = raw.Trim();
            if (line.IsEmpty)
                continue;
            int space = line.IndexOf(' ');
            if (space <= 0
                || !int.TryParse(line[(space + 1)..], System.Globalization.NumberStyles.None, null, out int rank))
                throw new InvalidDataException($"'{source}' line {lineNumber}: expected 'base64-token rank', found '{Shorten(line)}'.");
            ReadOnlySpan<char> token = line[..space];
            if (token.Length > 4 * buffer.Length / 3 || !Convert.TryFromBase64Chars(token, buffer, out int length) || length == 0)
                throw new InvalidDataException($"'{source}' line {lineNumber}: '{Shorten(token)}' is not base64 token bytes.");
            if (!ranks.Add(rank))
                throw new InvalidDataException($"'{source}' line {lineNumber}: rank {rank} appears twice.");
            end = Math.Max(end, rank + 1);
        }
        if (ranks.Count == 0)
            throw new InvalidDataException($"'{source}' holds no tiktoken ranks.");
        return new TiktokenRanks(data, ranks, end);
    }

    private static string Shorten(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : s[..40].ToString() + "...";
}
