using System.Buffers;
using System.Globalization;
using System.Text;

namespace Paft.MLNet.Input;

/// <summary>
/// Reads user text files as strict UTF-8: a byte sequence that is not UTF-8 is refused with its byte
/// offset (the framework's readers replace it with U+FFFD, and a pool rewritten by <c>prompts split</c>
/// would then carry the damage silently), and a line longer than a limit is refused before it is held
/// in memory. A leading byte-order mark is skipped; lines end at <c>\n</c>, a <c>\r</c> before it is dropped.
/// </summary>
internal static class StrictUtf8
{
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    /// <summary>The lines of <paramref name="path"/> with their 1-based numbers.</summary>
    /// <exception cref="InvalidDataException">A line is longer than <paramref name="maxLineBytes"/> or is not UTF-8.</exception>
    public static IEnumerable<(int Line, string Text)> ReadLines(string path, long maxLineBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        byte[] buffer = new byte[1 << 16];
        var line = new ArrayBufferWriter<byte>();
        long bufferOffset = 0;
        long lineOffset = 0;
        int number = 1;
        int read;
        bool atStart = true;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            if (atStart)
            {
                atStart = false;
                if (read >= 3 && buffer.AsSpan(0, 3).SequenceEqual(ByteOrderMark))
                {
                    start = 3;
                    lineOffset = 3;
                }
            }
            while (true)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                int end = newline < 0 ? read : newline;
                if (line.WrittenCount + (long)(end - start) > maxLineBytes)
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{path} line {number}: longer than {maxLineBytes:N0} bytes ({InputLimits.Describe(nameof(InputLimits.MaxLineBytes), maxLineBytes)})."));
                line.Write(buffer.AsSpan(start, end - start));
                if (newline < 0)
                    break;
                yield return (number, Decode(line.WrittenSpan, path, lineOffset, number));
                number++;
                line.ResetWrittenCount();
                lineOffset = bufferOffset + newline + 1;
                start = newline + 1;
            }
            bufferOffset += read;
        }
        if (line.WrittenCount > 0)
            yield return (number, Decode(line.WrittenSpan, path, lineOffset, number));
    }

    /// <summary>The whole of <paramref name="path"/> as text.</summary>
    /// <exception cref="InvalidDataException">The file is not UTF-8.</exception>
    public static string ReadAllText(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int start = bytes.AsSpan().StartsWith(ByteOrderMark) ? 3 : 0;
        return Decode(bytes.AsSpan(start), path, start, line: null);
    }

    /// <summary>Decodes <paramref name="bytes"/>, which start at <paramref name="fileOffset"/> of the file.</summary>
    internal static string Decode(ReadOnlySpan<byte> bytes, string path, long fileOffset, int? line)
    {
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r' && line is not null)
            bytes = bytes[..^1];
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            int invalid = FirstInvalidByte(bytes);
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{path}{(line is { } n ? $" line {n}" : "")}: invalid UTF-8 at byte offset {fileOffset + invalid} (byte 0x{bytes[invalid]:X2}); the file must be UTF-8 text."));
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out _, out int consumed) != OperationStatus.Done)
                return i;
            i += consumed;
        }
        return bytes.Length - 1;
    }
}
