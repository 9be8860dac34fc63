using System.Text;

namespace Paft.Llama.Tokenization;

/// <summary>The type of a SentencePiece vocabulary entry (<c>ModelProto.SentencePiece.Type</c>).</summary>
internal enum SentencePieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>One vocabulary entry of a SentencePiece model.</summary>
internal readonly record struct SentencePiece(string Piece, float Score, SentencePieceType Type);

/// <summary>
/// The parts of a SentencePiece <c>ModelProto</c> (sentencepiece_model.proto) that encoding and decoding
/// need: the pieces, the trainer spec's model type, byte fallback and special ids, and the normalizer
/// spec's whitespace handling. Field numbers follow the .proto; defaults are the .proto defaults, which
/// matter because a writer omits fields that hold their default.
/// </summary>
internal sealed class SentencePieceModel
{
    /// <summary>TrainerSpec.ModelType.BPE.</summary>
    internal const int BpeModelType = 2;

    internal required IReadOnlyList<SentencePiece> Pieces { get; init; }
    internal int ModelType { get; init; } = 1;
    internal bool ByteFallback { get; init; }
    internal bool TreatWhitespaceAsSuffix { get; init; }
    internal int UnkId { get; init; }
    internal int BosId { get; init; } = 1;
    internal int EosId { get; init; } = 2;
    internal int PadId { get; init; } = -1;
    internal string UnkSurface { get; init; } = " \u2047 ";
    internal string NormalizerName { get; init; } = "";
    internal bool HasPrecompiledCharsMap { get; init; }
    internal bool AddDummyPrefix { get; init; } = true;
    internal bool RemoveExtraWhitespaces { get; init; } = true;
    internal bool EscapeWhitespaces { get; init; } = true;

    /// <summary>Parses a serialized <c>ModelProto</c>; <paramref name="source"/> names it in errors.</summary>
    internal static SentencePieceModel Parse(ReadOnlySpan<byte> data, string source)
    {
        var reader = new ProtobufReader(data, source);
        var pieces = new List<SentencePiece>();
        ReadOnlySpan<byte> trainer = default, normalizer = default;
        while (reader.TryReadKey(out int field, out int wire))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(field, wire, ProtobufReader.WireLengthDelimited);
                    pieces.Add(ParsePiece(reader.ReadLengthDelimited(), source, pieces.Count));
                    break;
                case 2:
                    reader.Expect(field, wire, ProtobufReader.WireLengthDelimited);
                    trainer = reader.ReadLengthDelimited();
                    break;
                case 3:
                    reader.Expect(field, wire, ProtobufReader.WireLengthDelimited);
                    normalizer = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.SkipField(wire);
                    break;
            }
        }
        if (pieces.Count == 0)
            throw reader.Malformed("it has no pieces");

        int modelType = 1, unkId = 0, bosId = 1, eosId = 2, padId = -1;
        bool byteFallback = false, suffix = false;
        string unkSurface = " \u2047 ";
        var t = new ProtobufReader(trainer, source + " (trainer_spec)");
        while (t.TryReadKey(out int field, out int wire))
        {
            switch (field)
            {
                case 3: modelType = (int)ReadVarint(ref t, field, wire); break;
                case 24: suffix = ReadVarint(ref t, field, wire) != 0; break;
                case 35: byteFallback = ReadVarint(ref t, field, wire) != 0; break;
                // int32 fields: negative values are written as 64-bit two's complement.
                case 40: unkId = (int)(long)ReadVarint(ref t, field, wire); break;
                case 41: bosId = (int)(long)ReadVarint(ref t, field, wire); break;
                case 42: eosId = (int)(long)ReadVarint(ref t, field, wire); break;
                case 43: padId = (int)(long)ReadVarint(ref t, field, wire); break;
                case 44:
                    t.Expect(field, wire, ProtobufReader.WireLengthDelimited);
                    unkSurface = Encoding.UTF8.GetString(t.ReadLengthDelimited());
                    break;
                default: t.SkipField(wire); break;
            }
        }

        string name = "";
        bool charsMap = false, dummyPrefix = true, removeExtra = true, escape = true;
        var n = new ProtobufReader(normalizer, source + " (normalizer_spec)");
        while (n.TryReadKey(out int field, out int wire))
        {
            switch (field)
            {
                case 1:
                    n.Expect(field, wire, ProtobufReader.WireLengthDelimited);
                    name = Encoding.UTF8.GetString(n.ReadLengthDelimited());
                    break;
                case 2:
                    n.Expect(field, wire, ProtobufReader.WireLengthDelimited);
                    charsMap = n.ReadLengthDelimited().Length > 0;
                    break;
                case 3: dummyPrefix = ReadVarint(ref n, field, wire) != 0; break;
                case 4: removeExtra = ReadVarint(ref n, field, wire) != 0; break;
                case 5: escape = ReadVarint(ref n, field, wire) != 0; break;
                default: n.SkipField(wire); break;
            }
        }

        return new SentencePieceModel
        {
            Pieces = pieces,
            ModelType = modelType,
            ByteFallback = byteFallback,
            TreatWhitespaceAsSuffix = suffix,
            UnkId = unkId,
            BosId = bosId,
            EosId = eosId,
            PadId = padId,
            UnkSurface = unkSurface,
            NormalizerName = name,
            HasPrecompiledCharsMap = charsMap,
            AddDummyPrefix = dummyPrefix,
            RemoveExtraWhitespaces = removeExtra,
            EscapeWhitespaces = escape,
        };
    }

    private static SentencePiece ParsePiece(ReadOnlySpan<byte> data, string source, int index)
    {
        var reader = new ProtobufReader(data, $"{source} (piece {index})");
        string? piece = null;
        float score = 0;
        var type = SentencePieceType.Normal;
        while (reader.TryReadKey(out int field, out int wire))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(field, wire, ProtobufReader.WireLengthDelimited);
                    piece = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
                    break;
                case 2:
                    reader.Expect(field, wire, ProtobufReader.WireFixed32);
                    score = reader.ReadFloat();
                    break;
                case 3:
                    ulong value = ReadVarint(ref reader, field, wire);
                    if (value is < 1 or > 6)
                        throw reader.Malformed($"unknown piece type {value}");
                    type = (SentencePieceType)value;
                    break;
                default:
                    reader.SkipField(wire);
                    break;
            }
        }
        if (string.IsNullOrEmpty(piece))
            throw reader.Malformed("the piece has no text");
        return new SentencePiece(piece, score, type);
    }

    private static ulong ReadVarint(ref ProtobufReader reader, int field, int wire)
    {
        reader.Expect(field, wire, ProtobufReader.WireVarint);
        return reader.ReadVarint();
    }
}
