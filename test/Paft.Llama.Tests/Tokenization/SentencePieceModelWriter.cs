using System.Text;

namespace Paft.Llama.Tests.Tokenization;

/// <summary>
/// Writes small SentencePiece ModelProto files (protobuf wire format) for tests that need a vocabulary
/// built by hand: field numbers as in sentencepiece_model.proto.
/// </summary>
internal sealed class SentencePieceModelWriter
{
    private readonly MemoryStream _pieces = new();

    internal bool ByteFallback { get; init; }
    internal bool AddDummyPrefix { get; init; } = true;
    internal bool RemoveExtraWhitespaces { get; init; }
    internal int ModelType { get; init; } = 2;

    /// <summary>Adds a piece; type 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.</summary>
    internal SentencePieceModelWriter Add(string piece, float score = 0, int type = 1)
    {
        var message = new MemoryStream();
        WriteBytes(message, 1, Encoding.UTF8.GetBytes(piece));
        WriteKey(message, 2, 5);
        message.Write(BitConverter.GetBytes(score));
        WriteVarintField(message, 3, (ulong)type);
        WriteBytes(_pieces, 1, message.ToArray());
        return this;
    }

    /// <summary>Adds &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt; as ids 0, 1, 2 (Llama's layout).</summary>
    internal SentencePieceModelWriter AddSpecials() => Add("<unk>", 0, 2).Add("<s>", 0, 3).Add("</s>", 0, 3);

    /// <summary>Adds the 256 byte pieces &lt;0x00&gt;..&lt;0xFF&gt;.</summary>
    internal SentencePieceModelWriter AddBytes()
    {
        for (int b = 0; b < 256; b++)
            Add($"<0x{b:X2}>", 0, 6);
        return this;
    }

    internal byte[] ToArray()
    {
        var model = new MemoryStream();
        model.Write(_pieces.ToArray());
        var trainer = new MemoryStream();
        WriteVarintField(trainer, 3, (ulong)ModelType);
        WriteVarintField(trainer, 35, ByteFallback ? 1UL : 0UL);
        WriteBytes(model, 2, trainer.ToArray());
        var normalizer = new MemoryStream();
        WriteBytes(normalizer, 1, "identity"u8.ToArray());
        WriteVarintField(normalizer, 3, AddDummyPrefix ? 1UL : 0UL);
        WriteVarintField(normalizer, 4, RemoveExtraWhitespaces ? 1UL : 0UL);
        WriteBytes(model, 3, normalizer.ToArray());
        return model.ToArray();
    }

    /// <summary>Writes the model as <c>tokenizer.model</c> in <paramref name="folder"/>.</summary>
    internal void WriteTo(string folder) => File.WriteAllBytes(Path.Combine(folder, "tokenizer.model"), ToArray());

    private static void WriteKey(Stream s, int field, int wire) => WriteVarint(s, (ulong)(field << 3 | wire));

    private static void WriteVarintField(Stream s, int field, ulong value)
    {
        WriteKey(s, field, 0);
        WriteVarint(s, value);
    }

    private static void WriteBytes(Stream s, int field, byte[] bytes)
    {
        WriteKey(s, field, 2);
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        s.WriteByte((byte)value);
    }
}
