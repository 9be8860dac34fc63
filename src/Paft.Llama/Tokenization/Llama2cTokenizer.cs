using System.Text;

namespace Paft.Llama.Tokenization;

/// <summary>
/// The tokenizer of llama2.c (<c>tokenizer.bin</c>, <c>tok512.bin</c>), for <c>paft generate --tokenizer</c>
/// on llama2.c models such as stories260K. It reproduces <c>run.c</c>'s <c>encode</c> and <c>decode</c>:
/// a dummy-prefix " " token, one token per UTF-8 character (or its bytes as <c>&lt;0xXX&gt;</c> ids
/// byte + 3), then repeatedly the adjacent pair whose concatenation is a vocabulary entry of the highest
/// score (the leftmost on ties) is merged, until none is; a piece that follows BOS loses its leading space.
/// File layout: int32 max token length, then per id: float32 score, int32 byte length, the bytes.
/// <see cref="TokenizerLoader"/> reads it when it is given explicitly as a <c>.bin</c> file.
/// </summary>
internal sealed class Llama2cTokenizer : ILlamaTokenizer
{
    private const int Bos = 1;
    private const int Eos = 2;
    private const int ByteOffset = 3;

    private readonly byte[][] _pieces;
    private readonly float[] _scores;
    private readonly Dictionary<string, int> _ids;   // piece bytes as Latin-1 text -> id (first occurrence)

    private Llama2cTokenizer(byte[][] pieces, float[] scores)
    {
        _pieces = pieces;
        _scores = scores;
        _ids = new Dictionary<string, int>(pieces.Length, StringComparer.Ordinal);
        for (int id = 0; id < pieces.Length; id++)
            _ids.TryAdd(Key(pieces[id]), id);
    }

    /// <inheritdoc />
    public int VocabSize => _pieces.Length;

    /// <inheritdoc />
    public int BosId => Bos;

    /// <inheritdoc />
    public IReadOnlyList<int> EosIds { get; } = [Eos];

    /// <summary>Whether <paramref name="path"/> is in llama2.c's format (by its <c>.bin</c> extension; the format has no magic number).</summary>
    public static bool IsLlama2cFile(string path) => path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a llama2.c tokenizer file.</summary>
    /// <exception cref="InvalidDataException">The file is truncated or malformed; the message names the file and the entry.</exception>
    public static Llama2cTokenizer Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Tokenizer file '{path}' does not exist.", path);
        byte[] data = File.ReadAllBytes(path);
        if (data.Length < 4)
            throw new InvalidDataException($"'{path}' is too short for a llama2.c tokenizer (no max token length).");
        int maxLength = BitConverter.ToInt32(data, 0);
        var pieces = new List<byte[]>();
        var scores = new List<float>();
        for (int offset = 4; offset < data.Length;)
        {
            int id = pieces.Count;
            if (offset + 8 > data.Length)
                throw new InvalidDataException($"'{path}' is truncated in the header of token {id} (byte {offset}).");
            float score = BitConverter.ToSingle(data, offset);
            int length = BitConverter.ToInt32(data, offset + 4);
            offset += 8;
            if (length < 0 || length > maxLength || offset + length > data.Length)
                throw new InvalidDataException($"'{path}': token {id} has length {length}, outside 0..{maxLength} or past the end of the file.");
            pieces.Add(data[offset..(offset + length)]);
            scores.Add(score);
            offset += length;
        }
        if (pieces.Count <= ByteOffset + 255)
            throw new InvalidDataException($"'{path}' has {pieces.Count} tokens; a llama2.c vocabulary has <unk>, BOS, EOS and 256 byte tokens at least.");
        return new Llama2cTokenizer([.. pieces], [.. scores]);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text, bool addBos = false, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<int>();
        if (addBos)
            tokens.Add(Bos);
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        if (utf8.Length > 0)
            tokens.Add(_ids.TryGetValue(" ", out int space) ? space : throw new InvalidDataException("the llama2.c vocabulary has no ' ' token for the dummy prefix."));

        // One token per UTF-8 character (a lead byte and up to three continuation bytes), else its bytes.
        for (int start = 0; start < utf8.Length;)
        {
            int end = start + 1;
            while (end < utf8.Length && (utf8[end] & 0xC0) == 0x80 && end - start < 4)
                end++;
            if (_ids.TryGetValue(Key(utf8.AsSpan(start, end - start)), out int id))
                tokens.Add(id);
            else
                for (int i = start; i < end; i++)
                    tokens.Add(utf8[i] + ByteOffset);
            start = end;
        }

        // Merge the best-scoring adjacent pair until no pair forms a vocabulary entry.
        while (true)
        {
            float bestScore = -1e10f;
            int bestId = -1, bestIndex = -1;
            for (int i = 0; i + 1 < tokens.Count; i++)
            {
                if (_ids.TryGetValue(Key(_pieces[tokens[i]]) + Key(_pieces[tokens[i + 1]]), out int id) && _scores[id] > bestScore)
                    (bestScore, bestId, bestIndex) = (_scores[id], id, i);
            }
            if (bestIndex < 0)
                break;
            tokens[bestIndex] = bestId;
            tokens.RemoveAt(bestIndex + 1);
        }
        return tokens;
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids, bool skipSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        int previous = -1;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_pieces.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (0..{_pieces.Length - 1}).");
            byte[] piece = _pieces[id];
            bool special = id is 0 or Bos or Eos;
            if (!(special && skipSpecial))
            {
                if (TryParseByte(piece, out byte b))
                    bytes.Add(b);
                else
                    bytes.AddRange(previous == Bos && piece.Length > 0 && piece[0] == (byte)' ' ? piece[1..] : piece);
            }
            previous = id;
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>A piece <c>&lt;0xXX&gt;</c> stands for the byte XX.</summary>
    private static bool TryParseByte(byte[] piece, out byte value)
    {
        value = 0;
        return piece.Length == 6 && piece[0] == '<' && piece[1] == '0' && piece[2] == 'x' && piece[5] == '>'
            && byte.TryParse(Encoding.ASCII.GetString(piece, 3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }

    /// <summary>Bytes as a string key, one char per byte, so lookups compare bytes exactly (as strcmp does).</summary>
    private static string Key(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
