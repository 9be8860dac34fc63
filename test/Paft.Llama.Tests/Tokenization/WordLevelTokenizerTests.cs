using System.Text;
using Paft.Llama.Tokenization;
using Paft.Tests.Common;

namespace Paft.Llama.Tests.Tokenization;

public class WordLevelTokenizerTests
{
    private static readonly WordLevelTokenizer Small = WordLevelTokenizer.FromTexts(["Mia put the key in the red box.", "Where is the key?\nAnswer: A"]);

    [Fact]
    public void PreTokenizerAttachesOneSpaceToTheNextPiece()
    {
        string[] pieces = WordLevelPreTokenizer.Split("Mia put  the key.\nA. (B)").ToArray();
        Assert.Equal(["Mia", " put", " ", " the", " key", ".", "\n", "A", ".", " (", "B", ")"], pieces);
    }

    [Fact]
    public void KnownWordsAreOneTokenEach()
    {
        IReadOnlyList<int> ids = Small.Encode("Mia put the key in the red box.");
        Assert.Equal(9, ids.Count);
        Assert.All(ids, id => Assert.True(id >= WordLevelTokenizer.FirstWordId));
        Assert.Equal(["Mia", " put", " the", " key", " in", " the", " red", " box", "."], ids.Select(Small.TokenText));
    }

    [Fact]
    public void UnknownPiecesFallBackToTheirUtf8Bytes()
    {
        // " cat" is not a word: it is spelled as the bytes 0x20 0x63 0x61 0x74; "é" as 0xC3 0xA9.
        IReadOnlyList<int> ids = Small.Encode(" the cat é");
        Assert.True(Small.TryGetWordId(" the", out int the));
        int b = WordLevelTokenizer.FirstByteId;
        Assert.Equal([the, b + 0x20, b + 0x63, b + 0x61, b + 0x74, b + 0x20, b + 0xC3, b + 0xA9], ids);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Mia put the key in the red box. Where is the key?")]
    [InlineData("emoji 😀👍🏽 and 👨‍👩‍👧 family")]
    [InlineData("中文字符和日本語のテキスト, 한국어")]
    [InlineData("control \u0000\u0001\t\r\n\u001b[0m \u007f end")]
    [InlineData("  leading and trailing spaces  \n\n\t")]
    [InlineData("<s> </s> <pad> <0x41> look like specials")]
    [InlineData("Ünïcödé ﬁ ligature, \u0301 combining, \uFEFF bom, \u200B zero width")]
    public void RoundTripsAnyText(string text)
    {
        IReadOnlyList<int> ids = Small.Encode(text);
        Assert.Equal(text, Small.Decode(ids));
        Assert.DoesNotContain(Small.BosId, ids);
    }

    [Fact]
    public void RoundTripsRandomUnicodeScalars()
    {
        var random = new Random(7);
        for (int n = 0; n < 300; n++)
        {
            var text = new StringBuilder();
            int length = random.Next(0, 40);
            for (int i = 0; i < length; i++)
            {
                // Any scalar value: ASCII often, the whole range (planes 0..16, no surrogates) too.
                int scalar = random.Next(4) == 0 ? random.Next(0x20, 0x7F) : random.Next(0, 0x110000);
                if (scalar is >= 0xD800 and <= 0xDFFF)
                    scalar = ' ';
                text.Append(char.ConvertFromUtf32(scalar));
            }
            string s = text.ToString();
            Assert.Equal(s, Small.Decode(Small.Encode(s)));
        }
    }

    [Fact]
    public void BosAndSpecialTokenText()
    {
        Assert.Equal(Small.BosId, Small.Encode("the", addBos: true)[0]);
        Assert.Equal([Small.BosId, Small.EosId, WordLevelTokenizer.PadId], Small.Encode("<s></s><pad>", parseSpecial: true));
        Assert.DoesNotContain(Small.BosId, Small.Encode("<s>"));
        IReadOnlyList<int> ids = Small.Encode("<s>the key</s>", parseSpecial: true);
        Assert.Equal("<s>the key</s>", Small.Decode(ids));
        Assert.Equal("the key", Small.Decode(ids, skipSpecial: true));
    }

    [Fact]
    public void DecodeRejectsIdsOutsideTheVocabulary()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Small.Decode([Small.VocabSize]));
        Assert.Contains(Small.VocabSize.ToString(), e.Message);
    }

    [Fact]
    public void VocabularyDoesNotDependOnTextOrder()
    {
        var a = WordLevelTokenizer.FromTexts(["b a", "c"]);
        var b = WordLevelTokenizer.FromTexts(["c", "b a"]);
        Assert.Equal(a.Words, b.Words);
        Assert.Equal(WordLevelTokenizer.FirstWordId + 3, a.VocabSize);
    }

    [Fact]
    public void SavesAndLoadsThroughTheTokenizerLoader()
    {
        using var folder = new TempFolder();
        Small.Save(Path.Combine(folder.Path, WordLevelTokenizer.FileName));
        ILlamaTokenizer loaded = TokenizerLoader.Load(folder.Path);

        var word = Assert.IsType<WordLevelTokenizer>(loaded);
        Assert.Equal(Small.Words, word.Words);
        const string text = "Where is the red key? 😀";
        Assert.Equal(Small.Encode(text, addBos: true), loaded.Encode(text, addBos: true));
        Assert.Equal([Small.EosId], loaded.EosIds);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"format": "other", "version": 1, "tokens": []}""", "'format'")]
    [InlineData("""{"format": "paft-word-level", "version": 2, "tokens": []}""", "'version'")]
    [InlineData("""{"format": "paft-word-level", "version": 1}""", "'tokens'")]
    [InlineData("""{"format": "paft-word-level", "version": 1, "tokens": ["<pad>"]}""", "has 1 entries")]
    public void MalformedFilesNameTheFileAndKey(string json, string expected)
    {
        using var folder = new TempFolder();
        string path = folder.WriteText(WordLevelTokenizer.FileName, json);
        var e = Assert.Throws<InvalidDataException>(() => WordLevelTokenizer.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(5, "\"x\"", "tokens[5]")]          // a byte token replaced
    [InlineData(260, "\" key\"", "appears twice")]   // a word given twice
    [InlineData(260, "\"two words\"", "not a single word")]
    [InlineData(260, "3", "not a string")]
    public void MalformedTokenListsNameTheIndex(int index, string replacement, string expected)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, WordLevelTokenizer.FileName);
        WordLevelTokenizer.FromTexts(["the key"]).Save(path);
        var tokens = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("tokens")
            .EnumerateArray().Select(t => System.Text.Json.JsonSerializer.Serialize(t.GetString())).ToList();
        tokens[index] = replacement;
        File.WriteAllText(path, $$"""{"format": "paft-word-level", "version": 1, "tokens": [{{string.Join(",", tokens)}}]}""");

        var e = Assert.Throws<InvalidDataException>(() => WordLevelTokenizer.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }
}
