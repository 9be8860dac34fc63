using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Paft.Llama.Tokenization;

/// <summary>
/// A closed-vocabulary word-level tokenizer with byte fallback, for small models trained from scratch
/// (the embedded demo). Text is cut into words and punctuation (see <see cref="WordLevelPreTokenizer"/>);
/// a piece in the vocabulary is one token, any other piece is spelled as its UTF-8 bytes with 256 byte
/// tokens, so every string of valid UTF-16 (any Unicode text) encodes and decodes back exactly.
/// </summary>
/// <remarks>
/// <para>Id layout: 0 <c>&lt;pad&gt;</c>, 1 <c>&lt;s&gt;</c> (BOS), 2 <c>&lt;/s&gt;</c> (EOS),
/// 3..258 the bytes <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>, then the words.</para>
/// <para>File format (<see cref="FileName"/>, UTF-8 JSON):
/// <c>{"format": "paft-word-level", "version": 1, "tokens": ["&lt;pad&gt;", "&lt;s&gt;", "&lt;/s&gt;", "&lt;0x00&gt;", ..., "&lt;0xFF&gt;", " key", ...]}</c>;
/// the position of a token in <c>tokens</c> is its id, and the first 259 entries must be exactly the
/// fixed layout above. Each word must be one piece of the pre-tokenizer (e.g. <c>" key"</c> with its
/// leading space, or <c>"."</c>).</para>
/// <para>A lone UTF-16 surrogate is not Unicode text; it is encoded as U+FFFD, as UTF-8 encoders do.</para>
/// </remarks>
public sealed class WordLevelTokenizer : ILlamaTokenizer
{
    /// <summary>The file name a model folder keeps this tokenizer under.</summary>
    public const string FileName = "tokenizer.paft.json";

    /// <summary>The value of the file's <c>format</c> key.</summary>
    public const string FormatName = "paft-word-level";

    /// <summary>The padding id.</summary>
    public const int PadId = 0;

    /// <summary>The id of the first byte token, <c>&lt;0x00&gt;</c>.</summary>
    public const int FirstByteId = 3;

    /// <summary>The id of the first word.</summary>
    public const int FirstWordId = FirstByteId + 256;

    private const int FormatVersion = 1;
    private static readonly string[] SpecialTexts = ["<pad>", "<s>", "</s>"];

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private WordLevelTokenizer(string[] tokens)
    {
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int id = FirstWordId; id < tokens.Length; id++)
            _ids.Add(tokens[id], id);
    }

    /// <inheritdoc />
    public int VocabSize => _tokens.Length;

    /// <inheritdoc />
    public int BosId => 1;

    /// <summary>The end-of-sequence id.</summary>
    public int EosId => 2;

    /// <inheritdoc />
    public IReadOnlyList<int> EosIds => [EosId];

    /// <summary>The words (pieces with their own id), in id order from <see cref="FirstWordId"/>.</summary>
    public IReadOnlyList<string> Words => _tokens[FirstWordId..];

    /// <summary>
    /// Makes a tokenizer whose words are every distinct piece of <paramref name="texts"/> (sorted
    /// ordinally, so the same texts give the same ids whatever their order).
    /// </summary>
    /// <param name="texts">Texts that should encode without byte fallback.</param>
    public static WordLevelTokenizer FromTexts(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string text in texts)
            foreach (string piece in WordLevelPreTokenizer.Split(text))
                words.Add(piece);
        return new WordLevelTokenizer([.. FixedTokens(), .. words]);
    }

    /// <summary>Loads a tokenizer file (see the class remarks for the format).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file and the key or token index.</exception>
    public static WordLevelTokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using (JsonDocument doc = JsonFile.ReadObject(path, "Word-level tokenizer file"))
        {
            JsonElement root = doc.RootElement;
            if (!root.TryGetProperty("format", out JsonElement format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
                throw new InvalidDataException($"'{path}': key 'format' must be \"{FormatName}\".");
            if (!root.TryGetProperty("version", out JsonElement version) || !version.TryGetInt32(out int v) || v != FormatVersion)
                throw new InvalidDataException($"'{path}': key 'version' must be {FormatVersion}.");
            if (!root.TryGetProperty("tokens", out JsonElement tokens) || tokens.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"'{path}': key 'tokens' must be an array of strings.");

            var list = new List<string>(tokens.GetArrayLength());
            foreach (JsonElement token in tokens.EnumerateArray())
            {
                if (token.ValueKind != JsonValueKind.String)
                    throw new InvalidDataException($"'{path}': tokens[{list.Count}] is a {token.ValueKind}, not a string.");
                list.Add(token.GetString()!);
            }
            return FromTokenList(list, path);
        }
    }

    /// <summary>
    /// Writes the tokenizer to <paramref name="path"/> atomically (a temporary file in the same folder,
    /// then a rename).
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, options);
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", FormatVersion);
            writer.WriteStartArray("tokens");
            foreach (string token in _tokens)
                writer.WriteStringValue(token);
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text, bool addBos = false, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (addBos)
            ids.Add(BosId);
        if (!parseSpecial)
        {
            EncodeOrdinary(text, ids);
            return ids;
        }

        int start = 0;
        while (start < text.Length)
        {
            (int at, int special) = FindSpecial(text, start);
            if (at < 0)
                break;
            EncodeOrdinary(text[start..at], ids);
            ids.Add(special);
            start = at + SpecialTexts[special].Length;
        }
        EncodeOrdinary(text[start..], ids);
        return ids;
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids, bool skipSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (id < 0 || id >= _tokens.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (0..{_tokens.Length - 1}).");
            if (id is >= FirstByteId and < FirstWordId)
            {
                bytes.Add((byte)(id - FirstByteId));
                continue;
            }
            FlushBytes(bytes, text);
            if (id >= FirstWordId || !skipSpecial)
                text.Append(_tokens[id]);
        }
        FlushBytes(bytes, text);
        return text.ToString();
    }

    /// <summary>The id of <paramref name="piece"/> if it is a word of the vocabulary.</summary>
    public bool TryGetWordId(string piece, out int id) => _ids.TryGetValue(piece, out id);

    /// <summary>The text of token <paramref name="id"/> (a word, a special token, or <c>&lt;0xNN&gt;</c>).</summary>
    public string TokenText(int id) => _tokens[id];

    private void EncodeOrdinary(string text, List<int> ids)
    {
        foreach (string piece in WordLevelPreTokenizer.Split(text))
        {
            if (_ids.TryGetValue(piece, out int id))
            {
                ids.Add(id);
                continue;
            }
            foreach (byte b in Encoding.UTF8.GetBytes(piece))
                ids.Add(FirstByteId + b);
        }
    }

    private static (int At, int Special) FindSpecial(string text, int start)
    {
        int best = -1, which = -1;
        for (int s = 0; s < SpecialTexts.Length; s++)
        {
            int at = text.IndexOf(SpecialTexts[s], start, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best))
            {
                best = at;
                which = s;
            }
        }
        return (best, which);
    }

    private static void FlushBytes(List<byte> bytes, StringBuilder text)
    {
        if (bytes.Count == 0)
            return;
        text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
        bytes.Clear();
    }

    private static IEnumerable<string> FixedTokens()
    {
        foreach (string special in SpecialTexts)
            yield return special;
        for (int b = 0; b < 256; b++)
            yield return $"<0x{b:X2}>";
    }

    private static WordLevelTokenizer FromTokenList(List<string> tokens, string path)
    {
        string[] expected = FixedTokens().ToArray();
        if (tokens.Count < expected.Length)
            throw new InvalidDataException($"'{path}': 'tokens' has {tokens.Count} entries; the specials and byte tokens alone are {expected.Length}.");
        for (int id = 0; id < expected.Length; id++)
        {
            if (tokens[id] != expected[id])
                throw new InvalidDataException($"'{path}': tokens[{id}] is \"{tokens[id]}\" but must be \"{expected[id]}\" (ids 0..{expected.Length - 1} are fixed).");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int id = FirstWordId; id < tokens.Count; id++)
        {
            string word = tokens[id];
            if (!seen.Add(word))
                throw new InvalidDataException($"'{path}': tokens[{id}] \"{word}\" appears twice.");
            using var pieces = WordLevelPreTokenizer.Split(word).GetEnumerator();
            if (!pieces.MoveNext() || pieces.Current != word)
                throw new InvalidDataException($"'{path}': tokens[{id}] \"{word}\" is not a single word or punctuation piece, so no text would ever encode to it.");
        }
        return new WordLevelTokenizer([.. tokens]);
    }
}
