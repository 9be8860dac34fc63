namespace Paft.Llama.Tokenization;

/// <summary>
/// Reads the protobuf wire format (varints, length-delimited fields, fixed32/fixed64), enough to walk a
/// SentencePiece <c>ModelProto</c> without a protobuf dependency. Every read is bounds-checked and throws
/// <see cref="InvalidDataException"/> naming <see cref="Source"/>, so a truncated or non-protobuf file
/// is reported instead of read as garbage.
/// </summary>
internal ref struct ProtobufReader
{
    internal const int WireVarint = 0;
    internal const int WireFixed64 = 1;
    internal const int WireLengthDelimited = 2;
    internal const int WireFixed32 = 5;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    internal ProtobufReader(ReadOnlySpan<byte> data, string source)
    {
        _data = data;
        Source = source;
    }

    /// <summary>What is being read (a file name, or file and message), for error messages.</summary>
    internal string Source { get; }

    internal readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Reads the next field key; returns false at the end of the message.</summary>
    internal bool TryReadKey(out int field, out int wireType)
    {
        field = 0;
        wireType = 0;
        if (AtEnd)
            return false;
        ulong key = ReadVarint();
        field = (int)(key >> 3);
        wireType = (int)(key & 7);
        if (field == 0 || wireType is not (WireVarint or WireFixed64 or WireLengthDelimited or WireFixed32))
            throw Malformed($"invalid field key {key} at byte {_position}");
        return true;
    }

    internal ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
                throw Malformed("truncated varint");
            byte b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw Malformed($"varint longer than 10 bytes at byte {_position}");
    }

    internal float ReadFloat()
    {
        ReadOnlySpan<byte> bytes = Take(4);
        return BitConverter.Int32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes));
    }

    internal ReadOnlySpan<byte> ReadLengthDelimited()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw Malformed($"length {length} at byte {_position} runs past the end ({_data.Length} bytes)");
        return Take((int)length);
    }

    internal void SkipField(int wireType)
    {
        switch (wireType)
        {
            case WireVarint: ReadVarint(); break;
            case WireFixed64: Take(8); break;
            case WireLengthDelimited: ReadLengthDelimited(); break;
            case WireFixed32: Take(4); break;
            default: throw Malformed($"unsupported wire type {wireType}");
        }
    }

    /// <summary>Reads a field's value as the expected wire type or reports the mismatch.</summary>
    internal void Expect(int field, int wireType, int expected)
    {
        if (wireType != expected)
            throw Malformed($"field {field} has wire type {wireType}, expected {expected}");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
            throw Malformed($"truncated: needs {count} bytes at byte {_position} of {_data.Length}");
        ReadOnlySpan<byte> slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    internal readonly InvalidDataException Malformed(string what) =>
        new($"'{Source}' is not a valid SentencePiece model (protobuf): {what}.");
}
