using System.Buffers;
using System.Text;

namespace Paft.Llama.Tokenization;

/// <summary>
/// SentencePiece BPE (Llama 2's tokenizer), written to give exactly what google/sentencepiece gives:
/// normalize (spaces to U+2581, dummy prefix), split into characters (user-defined pieces kept whole),
/// then repeatedly merge the adjacent pair whose concatenation is a vocabulary piece with the highest
/// score, the leftmost pair winning ties; pieces missing from the vocabulary become UTF-8 byte pieces
/// (<c>&lt;0xXX&gt;</c>) with byte fallback, or one unknown id per run without it.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers' <c>LlamaTokenizer</c> breaks score ties differently and so differs from
/// SentencePiece on some inputs (e.g. <c>!!!!!!</c>); this class exists to match the reference.
/// Normalization rules other than identity (a precompiled NFKC chars map) are not supported.
/// </remarks>
internal sealed class SentencePieceBpeTokenizer : ILlamaTokenizer
{
    private const char SpaceSymbol = '\u2581';

    private readonly SentencePieceModel _model;
    private readonly string[] _idToPiece;
    private readonly SentencePieceType[] _types;
    // Pieces that can be the result of a merge (normal, user-defined, unused), as sentencepiece's pieces_.
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _mergeable;
    // Pieces that only ever stand alone (control, unknown, byte), as sentencepiece's reserved_id_map_.
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _reserved;
    private readonly int[] _byteIds = new int[256];
    private readonly string[] _userDefined;
    private readonly string[] _specialTexts;
    private readonly bool _hasUnused;

    /// <summary>Builds the tokenizer from a parsed model; <paramref name="source"/> names it in errors.</summary>
    internal SentencePieceBpeTokenizer(SentencePieceModel model, string source, int? bosId = null, IReadOnlyList<int>? eosIds = null)
    {
        if (model.ModelType != SentencePieceModel.BpeModelType)
            throw new NotSupportedException(
                $"'{source}' is a SentencePiece model of type {model.ModelType}; only BPE (type {SentencePieceModel.BpeModelType}) is supported.");
        if (model.HasPrecompiledCharsMap)
            throw new NotSupportedException(
                $"'{source}' uses the SentencePiece normalization rule '{model.NormalizerName}' (a precompiled chars map); only identity normalization is supported.");

        _model = model;
        int count = model.Pieces.Count;
        _idToPiece = new string[count];
        _types = new SentencePieceType[count];
        var mergeable = new Dictionary<string, int>(count, StringComparer.Ordinal);
        var reserved = new Dictionary<string, int>(StringComparer.Ordinal);
        var userDefined = new List<string>();
        var specials = new List<string>();
        Array.Fill(_byteIds, -1);
        for (int id = 0; id < count; id++)
        {
            SentencePiece p = model.Pieces[id];
            _idToPiece[id] = p.Piece;
            _types[id] = p.Type;
            bool isMergeable = p.Type is SentencePieceType.Normal or SentencePieceType.UserDefined or SentencePieceType.Unused;
            if (!(isMergeable ? mergeable : reserved).TryAdd(p.Piece, id))
                throw new InvalidDataException($"'{source}' has the piece '{p.Piece}' twice (ids {(isMergeable ? mergeable : reserved)[p.Piece]} and {id}).");
            switch (p.Type)
            {
                case SentencePieceType.UserDefined: userDefined.Add(p.Piece); break;
                case SentencePieceType.Unused: _hasUnused = true; break;
                case SentencePieceType.Control or SentencePieceType.Unknown: specials.Add(p.Piece); break;
                case SentencePieceType.Byte:
                    if (!TryParseBytePiece(p.Piece, out byte b))
                        throw new InvalidDataException($"'{source}' has a byte piece '{p.Piece}' (id {id}) that is not of the form <0xXX>.");
                    _byteIds[b] = id;
                    break;
            }
        }
        if ((uint)model.UnkId >= (uint)count || _types[model.UnkId] != SentencePieceType.Unknown)
            throw new InvalidDataException($"'{source}': trainer_spec.unk_id {model.UnkId} is not an unknown piece.");
        if (model.ByteFallback && Array.IndexOf(_byteIds, -1) >= 0)
            throw new InvalidDataException($"'{source}' enables byte_fallback but lacks the piece <0x{Array.IndexOf(_byteIds, -1):X2}>.");

        _mergeable = mergeable.GetAlternateLookup<ReadOnlySpan<char>>();
        _reserved = reserved.GetAlternateLookup<ReadOnlySpan<char>>();
        // Longest first, so the longest user-defined piece at a position wins, as sentencepiece's prefix matcher does.
        _userDefined = [.. userDefined.OrderByDescending(s => s.Length)];
        _specialTexts = [.. specials.OrderByDescending(s => s.Length)];

        BosId = bosId ?? model.BosId;
        EosIds = eosIds ?? (model.EosId >= 0 ? [model.EosId] : []);
        foreach (int id in EosIds.Append(BosId))
            if ((uint)id >= (uint)count)
                throw new InvalidDataException($"'{source}': special id {id} is outside the vocabulary of {count} pieces.");
    }

    /// <inheritdoc/>
    public int VocabSize => _idToPiece.Length;

    /// <inheritdoc/>
    public int BosId { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> EosIds { get; }

    /// <summary>The vocabulary piece of <paramref name="id"/>.</summary>
    internal string IdToPiece(int id) => _idToPiece[id];

    /// <inheritdoc/>
    /// <remarks>
    /// With <paramref name="parseSpecial"/>, control and unknown piece texts (<c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>,
    /// <c>&lt;unk&gt;</c>) become their ids and the text between them is encoded piece by piece, each
    /// with its own dummy prefix, as running SentencePiece on each piece does.
    /// </remarks>
    public IReadOnlyList<int> Encode(string text, bool addBos = false, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (addBos)
            ids.Add(BosId);
        if (!parseSpecial || _specialTexts.Length == 0)
        {
            EncodeOrdinary(text, ids);
            return ids;
        }

        int segmentStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            string? special = MatchAt(_specialTexts, text, i);
            if (special is null)
                continue;
            EncodeOrdinary(text[segmentStart..i], ids);
            ids.Add(_reserved[special]);
            i += special.Length - 1;
            segmentStart = i + 1;
        }
        EncodeOrdinary(text[segmentStart..], ids);
        return ids;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// As SentencePiece decodes: U+2581 becomes a space, the dummy-prefix space of the first piece is
    /// dropped, runs of byte pieces are reassembled as UTF-8 (a byte that is not valid UTF-8 becomes U+FFFD)
    /// and the unknown piece shows as its surface (" ⁇ "). Control pieces (<c>&lt;s&gt;</c>) are written as
    /// their text unless <paramref name="skipSpecial"/>; they never count as text for the dummy-prefix rule.
    /// </remarks>
    public string Decode(IEnumerable<int> ids, bool skipSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var bytes = new List<byte>();
        int visibleLength = 0;      // text from non-control pieces, which ends the bos-whitespace window
        bool expectBosSpace = true;
        bool bosSpaceSeen = false;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_idToPiece.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (0..{_idToPiece.Length - 1}).");
            SentencePieceType type = _types[id];
            if (type == SentencePieceType.Byte)
            {
                TryParseBytePiece(_idToPiece[id], out byte b);
                bytes.Add(b);
                continue;
            }
            visibleLength += FlushBytes(bytes, text);
            if (bosSpaceSeen || visibleLength > 0)
                expectBosSpace = false;
            bosSpaceSeen = false;

            string piece = _idToPiece[id];
            if (type == SentencePieceType.Control)
            {
                if (!skipSpecial)
                    text.Append(piece);
                continue;
            }
            if (type == SentencePieceType.Unknown)
            {
                string surface = id == _model.UnkId ? _model.UnkSurface : piece;
                text.Append(surface);
                visibleLength += surface.Length;
                continue;
            }
            ReadOnlySpan<char> span = piece;
            if (expectBosSpace && (_model.AddDummyPrefix || _model.RemoveExtraWhitespaces) && span.Length > 0 && span[0] == SpaceSymbol)
            {
                span = span[1..];
                bosSpaceSeen = !_model.RemoveExtraWhitespaces;
            }
            foreach (char c in span)
                text.Append(c == SpaceSymbol ? ' ' : c);
            visibleLength += span.Length;
        }
        FlushBytes(bytes, text);
        return text.ToString();
    }

    private void EncodeOrdinary(string text, List<int> ids)
    {
        string normalized = Normalize(text);
        if (normalized.Length == 0)
            return;
        var symbols = Split(normalized);
        Dictionary<string, (string Left, string Right)>? unusedMerges = _hasUnused ? new(StringComparer.Ordinal) : null;
        Merge(normalized, symbols, unusedMerges);

        bool previousWasUnknown = false;
        for (int i = 0; i != -1; i = symbols[i].Next)
            Emit(normalized.AsSpan(symbols[i].Start, symbols[i].Length), ids, unusedMerges, ref previousWasUnknown);
    }

    /// <summary>
    /// SentencePiece's normalizer for the identity rule: optional removal of leading, trailing and repeated
    /// spaces, the dummy prefix, spaces escaped to U+2581. Lone surrogates (not valid Unicode, hence not
    /// valid UTF-8 for sentencepiece) become U+FFFD, as sentencepiece treats malformed UTF-8.
    /// </summary>
    internal string Normalize(string text)
    {
        bool removeExtra = _model.RemoveExtraWhitespaces;
        int start = 0;
        if (removeExtra)
            while (start < text.Length && text[start] == ' ')
                start++;
        if (start == text.Length)
            return "";

        char space = _model.EscapeWhitespaces ? SpaceSymbol : ' ';
        var sb = new StringBuilder(text.Length + 1);
        if (!_model.TreatWhitespaceAsSuffix && _model.AddDummyPrefix)
            sb.Append(space);
        bool previousWasSpace = removeExtra;
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (c == ' ')
            {
                if (!previousWasSpace)
                    sb.Append(space);
                previousWasSpace = removeExtra;
                continue;
            }
            previousWasSpace = false;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                sb.Append(c).Append(text[++i]);
            else if (char.IsSurrogate(c))
                sb.Append('\uFFFD');
            else
                sb.Append(c);
        }
        if (removeExtra)
            while (sb.Length > 0 && sb[^1] == space)
                sb.Length--;
        if (_model.TreatWhitespaceAsSuffix && _model.AddDummyPrefix)
            sb.Append(space);
        return sb.ToString();
    }

    private struct Symbol
    {
        public int Start;
        public int Length;
        public int Prev;
        public int Next;
        public bool Frozen;
    }

    /// <summary>One code point per symbol; a user-defined piece at a position is one frozen symbol.</summary>
    private Symbol[] Split(string normalized)
    {
        var symbols = new List<Symbol>(normalized.Length);
        int position = 0;
        while (position < normalized.Length)
        {
            string? user = _userDefined.Length == 0 ? null : MatchAt(_userDefined, normalized, position);
            int length = user?.Length ?? (char.IsHighSurrogate(normalized[position]) && position + 1 < normalized.Length ? 2 : 1);
            int index = symbols.Count;
            symbols.Add(new Symbol
            {
                Start = position,
                Length = length,
                Prev = index - 1,
                Next = position + length < normalized.Length ? index + 1 : -1,
                Frozen = user is not null,
            });
            position += length;
        }
        return [.. symbols];
    }

    /// <summary>A candidate merge; <see cref="Length"/> detects entries made stale by later merges.</summary>
    private readonly record struct Candidate(int Left, int Right, int Length);

    /// <summary>Highest score first; on equal scores the leftmost pair (sentencepiece's SymbolPairComparator).</summary>
    private sealed class CandidateOrder : IComparer<(float Score, int Left)>
    {
        internal static readonly CandidateOrder Instance = new();

        public int Compare((float Score, int Left) x, (float Score, int Left) y)
        {
            int byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : x.Left.CompareTo(y.Left);
        }
    }

    private void Merge(string normalized, Symbol[] symbols, Dictionary<string, (string, string)>? unusedMerges)
    {
        var agenda = new PriorityQueue<Candidate, (float, int)>(symbols.Length, CandidateOrder.Instance);
        for (int i = 1; i < symbols.Length; i++)
            TryAddCandidate(normalized, symbols, i - 1, i, agenda, unusedMerges);

        while (agenda.TryDequeue(out Candidate top, out _))
        {
            ref Symbol left = ref symbols[top.Left];
            ref Symbol right = ref symbols[top.Right];
            // Skip a candidate whose symbols were merged away or grown since it was queued.
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != top.Length)
                continue;

            left.Length += right.Length;
            left.Next = right.Next;
            if (right.Next >= 0)
                symbols[right.Next].Prev = top.Left;
            right.Length = 0;

            TryAddCandidate(normalized, symbols, left.Prev, top.Left, agenda, unusedMerges);
            TryAddCandidate(normalized, symbols, top.Left, left.Next, agenda, unusedMerges);
        }
    }

    private void TryAddCandidate(string normalized, Symbol[] symbols, int left, int right,
        PriorityQueue<Candidate, (float, int)> agenda, Dictionary<string, (string, string)>? unusedMerges)
    {
        if (left < 0 || right < 0 || symbols[left].Frozen || symbols[right].Frozen)
            return;
        int length = symbols[left].Length + symbols[right].Length;
        ReadOnlySpan<char> merged = normalized.AsSpan(symbols[left].Start, length);
        if (!_mergeable.TryGetValue(merged, out int id))
            return;
        agenda.Enqueue(new Candidate(left, right, length), (_model.Pieces[id].Score, left));
        // An unused piece may be formed but never emitted: remember how to split it back.
        if (unusedMerges is not null && _types[id] == SentencePieceType.Unused)
            unusedMerges[merged.ToString()] = (
                normalized.Substring(symbols[left].Start, symbols[left].Length),
                normalized.Substring(symbols[right].Start, symbols[right].Length));
    }

    private void Emit(ReadOnlySpan<char> piece, List<int> ids, Dictionary<string, (string Left, string Right)>? unusedMerges, ref bool previousWasUnknown)
    {
        int id = PieceToId(piece);
        if (unusedMerges is not null && _types[id] == SentencePieceType.Unused
            && unusedMerges.TryGetValue(piece.ToString(), out var parts))
        {
            Emit(parts.Left, ids, unusedMerges, ref previousWasUnknown);
            Emit(parts.Right, ids, unusedMerges, ref previousWasUnknown);
            return;
        }

        bool isUnknown = id == _model.UnkId;
        if (isUnknown && _model.ByteFallback)
        {
            int byteCount = Encoding.UTF8.GetByteCount(piece);
            byte[] rented = ArrayPool<byte>.Shared.Rent(byteCount);
            Encoding.UTF8.GetBytes(piece, rented);
            for (int i = 0; i < byteCount; i++)
                ids.Add(_byteIds[rented[i]]);
            ArrayPool<byte>.Shared.Return(rented);
        }
        else if (!(isUnknown && previousWasUnknown))
        {
            // Without byte fallback, a run of unknown pieces is one unknown id, as sentencepiece merges them.
            ids.Add(id);
        }
        previousWasUnknown = isUnknown;
    }

    private int PieceToId(ReadOnlySpan<char> piece) =>
        _reserved.TryGetValue(piece, out int id) ? id
        : _mergeable.TryGetValue(piece, out id) ? id
        : _model.UnkId;

    private static string? MatchAt(string[] longestFirst, string text, int position)
    {
        ReadOnlySpan<char> rest = text.AsSpan(position);
        foreach (string candidate in longestFirst)
            if (rest.StartsWith(candidate, StringComparison.Ordinal))
                return candidate;
        return null;
    }

    private static bool TryParseBytePiece(string piece, out byte value)
    {
        value = 0;
        return piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out value);
    }

    /// <summary>Appends the pending bytes as UTF-8, one U+FFFD per invalid byte; returns the chars added.</summary>
    private static int FlushBytes(List<byte> bytes, StringBuilder text)
    {
        if (bytes.Count == 0)
            return 0;
        int before = text.Length;
        ReadOnlySpan<byte> span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(span, out Rune rune, out int consumed) == OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                text.Append('\uFFFD', consumed);
            }
            span = span[consumed..];
        }
        bytes.Clear();
        return text.Length - before;
    }
}
