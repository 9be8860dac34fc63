using Paft.Tests.Common;

namespace Paft.Llama.Tests.Tokenization;

public class TiktokenBpeTokenizerTests
{
    [SharedFact]
    public void Vectors_AreAllPresent()
    {
        Assert.Equal(46, TokenizerVectors.Inputs("llama3-bpe").Count);
        Assert.Equal(46, TokenizerVectors.Outputs("llama3-bpe").Count);
    }

    [SharedTheory]
    [MemberData(nameof(TokenizerVectors.Llama3Cases), MemberType = typeof(TokenizerVectors))]
    public void Encode_MatchesLlama3Reference(int index, string text)
    {
        int[] expected = TokenizerVectors.Outputs("llama3-bpe")[index];
        Assert.Equal(expected, TokenizerVectors.Llama3.Value.Encode(text));
    }

    [SharedTheory]
    [MemberData(nameof(TokenizerVectors.Llama3Cases), MemberType = typeof(TokenizerVectors))]
    public void Decode_InvertsEncode(int index, string text)
    {
        _ = index;
        var tokenizer = TokenizerVectors.Llama3.Value;
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addBos: true), skipSpecial: true));
    }
}
