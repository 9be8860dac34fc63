using Paft.Tests.Common;

namespace Paft.Llama.Tests.Tokenization;

public class SentencePieceBpeTokenizerTests
{
    [SharedFact]
    public void Vectors_AreAllPresent()
    {
        Assert.Equal(46, TokenizerVectors.Inputs("llama2-spm").Count);
        Assert.Equal(46, TokenizerVectors.Outputs("llama2-spm").Count);
    }

    [SharedTheory]
    [MemberData(nameof(TokenizerVectors.Llama2Cases), MemberType = typeof(TokenizerVectors))]
    public void Encode_MatchesSentencePiece(int index, string text)
    {
        int[] expected = TokenizerVectors.Outputs("llama2-spm")[index];
        Assert.Equal(expected, TokenizerVectors.Llama2.Value.Encode(text));
    }

    [SharedTheory]
    [MemberData(nameof(TokenizerVectors.Llama2Cases), MemberType = typeof(TokenizerVectors))]
    public void Decode_InvertsEncode(int index, string text)
    {
        _ = index;
        var tokenizer = TokenizerVectors.Llama2.Value;
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addBos: true), skipSpecial: true));
    }
}
