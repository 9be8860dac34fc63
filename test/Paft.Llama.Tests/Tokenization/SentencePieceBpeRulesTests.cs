using Paft.Llama.Tokenization;

namespace Paft.Llama.Tests.Tokenization;

/// <summary>
/// SentencePiece BPE rules on hand-built vocabularies, with expectations worked out by hand from
/// sentencepiece's bpe_model.cc and normalizer.cc. These run everywhere (no ../shared).
/// </summary>
public class SentencePieceBpeRulesTests
{
    private static SentencePieceBpeTokenizer Build(SentencePieceModelWriter writer) =>
        new(SentencePieceModel.Parse(writer.ToArray(), "test model"), "test model");

    // Ids: 0 <unk>, 1 <s>, 2 </s>, then the pieces in the order added.
    [Fact]
    public void EqualScores_MergeTheLeftmostPairFirst()
    {
        var tokenizer = Build(new SentencePieceModelWriter().AddSpecials().Add("▁").Add("a").Add("aa", -1));
        // "▁aaa": "aa" is possible at (1,2) and (2,3) with equal score; the left one wins: ▁ | aa | a.
        Assert.Equal([3, 5, 4], tokenizer.Encode("aaa"));
    }

    [Fact]
    public void HigherScore_WinsOverPosition()
    {
        var tokenizer = Build(new SentencePieceModelWriter().AddSpecials()
            .Add("▁").Add("a").Add("b").Add("c").Add("ab", -2).Add("bc", -1));
        // "bc" (-1) outranks the more-left "ab" (-2): ▁ | a | bc.
        Assert.Equal([3, 4, 8], tokenizer.Encode("abc"));
    }

    [Fact]
    public void UnknownCharacter_FallsBackToUtf8BytePieces()
    {
        var tokenizer = Build(new SentencePieceModelWriter { ByteFallback = true }.AddSpecials().AddBytes().Add("▁").Add("a"));
        // é is U+00E9 = C3 A9 in UTF-8; byte piece <0xXX> has id 3 + XX.
        int[] ids = [259, 260, 3 + 0xC3, 3 + 0xA9];
        Assert.Equal(ids, tokenizer.Encode("aé"));
        Assert.Equal("aé", tokenizer.Decode(ids));
    }

    [Fact]
    public void WithoutByteFallback_ARunOfUnknownsIsOneUnknownId()
    {
        var tokenizer = Build(new SentencePieceModelWriter().AddSpecials().Add("▁").Add("a"));
        Assert.Equal([3, 4, 0], tokenizer.Encode("aéè"));
        Assert.Equal("a ⁇ ", tokenizer.Decode([3, 4, 0]));
    }

    [Fact]
    public void RemoveExtraWhitespaces_DropsLeadingTrailingAndRepeatedSpaces()
    {
        var tokenizer = Build(new SentencePieceModelWriter { RemoveExtraWhitespaces = true }.AddSpecials().Add("▁").Add("a"));
        Assert.Equal([3, 4, 3, 4], tokenizer.Encode("  a   a  "));
        Assert.Empty(tokenizer.Encode("   "));
    }

    [Fact]
    public void WithoutDummyPrefix_NoLeadingSpaceSymbol()
    {
        var tokenizer = Build(new SentencePieceModelWriter { AddDummyPrefix = false }.AddSpecials().Add("▁").Add("a"));
        Assert.Equal([4, 3, 4], tokenizer.Encode("a a"));
    }

    [Fact]
    public void EmptyText_HasNoTokens_NotEvenTheDummyPrefix()
    {
        var tokenizer = Build(new SentencePieceModelWriter().AddSpecials().Add("▁").Add("a"));
        Assert.Empty(tokenizer.Encode(""));
        Assert.Equal([1], tokenizer.Encode("", addBos: true));
    }

    [Fact]
    public void UserDefinedPiece_StaysWhole()
    {
        var tokenizer = Build(new SentencePieceModelWriter().AddSpecials().Add("▁").Add("a").Add("<sep>", 0, 4));
        Assert.Equal([3, 4, 5, 4], tokenizer.Encode("a<sep>a"));
    }

    [Fact]
    public void UnusedPiece_IsMergedThroughButSplitBackWhenItIsTheResult()
    {
        var tokenizer = Build(new SentencePieceModelWriter().AddSpecials()
            .Add("▁").Add("a").Add("b").Add("c").Add("ab", -1, 5).Add("abc", -2));
        Assert.Equal([3, 8], tokenizer.Encode("abc"));      // ab (unused) then abc (normal)
        Assert.Equal([3, 4, 5], tokenizer.Encode("ab"));    // ab is unused: emitted as a, b
    }

    [Fact]
    public void ParseSpecial_TurnsControlTextIntoItsId_OtherwiseItIsText()
    {
        var tokenizer = Build(new SentencePieceModelWriter().AddSpecials().Add("▁").Add("a"));
        Assert.Equal([1, 3, 4], tokenizer.Encode("<s>a", parseSpecial: true));
        Assert.Equal([3, 0, 4], tokenizer.Encode("<s>a"));  // "<", "s", ">" are one run of unknowns
    }

    [Fact]
    public void Decode_DropsOnlyTheDummyPrefixSpace_AndShowsControlPiecesUnlessSkipped()
    {
        var tokenizer = Build(new SentencePieceModelWriter().AddSpecials().Add("▁").Add("a").Add("▁a", -1));
        Assert.Equal("<s>a a", tokenizer.Decode([1, 5, 5]));
        Assert.Equal("a a", tokenizer.Decode([1, 5, 5], skipSpecial: true));
        Assert.Equal(" a", tokenizer.Decode([3, 5]));       // a lone ▁ is the dummy prefix; the next ▁ is a real space
    }

    [Fact]
    public void Decode_InvalidUtf8Bytes_BecomeReplacementCharacters()
    {
        var tokenizer = Build(new SentencePieceModelWriter { ByteFallback = true }.AddSpecials().AddBytes().Add("▁").Add("a"));
        Assert.Equal("\uFFFDa", tokenizer.Decode([3 + 0xC3, 260]));
    }

    [Fact]
    public void Decode_IdOutsideVocabulary_IsNamed()
    {
        var tokenizer = Build(new SentencePieceModelWriter().AddSpecials().Add("▁"));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([7]));
        Assert.Contains("7", e.Message);
    }

    [Fact]
    public void NonBpeModel_IsRefusedByName()
    {
        var model = SentencePieceModel.Parse(new SentencePieceModelWriter { ModelType = 1 }.AddSpecials().ToArray(), "unigram.model");
        var e = Assert.Throws<NotSupportedException>(() => new SentencePieceBpeTokenizer(model, "unigram.model"));
        Assert.Contains("unigram.model", e.Message);
    }

    [Fact]
    public void TruncatedModel_IsReportedWithTheFileName()
    {
        byte[] data = new SentencePieceModelWriter().AddSpecials().Add("▁").ToArray();
        var e = Assert.Throws<InvalidDataException>(() => SentencePieceModel.Parse(data.AsSpan(0, data.Length - 3), "cut.model"));
        Assert.Contains("cut.model", e.Message);
    }
}
