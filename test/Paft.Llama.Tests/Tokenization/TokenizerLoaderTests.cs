using System.Text.Json;
using Paft.Llama.Tokenization;
using Paft.Tests.Common;

namespace Paft.Llama.Tests.Tokenization;

public class TokenizerLoaderTests
{
    private static string Fixture(string name) => SharedData.Path("fixtures", "llama", name);

    private static long[] ExpectedInputIds(string folder) =>
        ExpectedIds.ReadInt64(Path.Combine(Fixture(folder), "expected.safetensors"), "input_ids");

    private static int ConfigId(string folder, string key)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture(folder), "config.json")));
        return doc.RootElement.GetProperty(key).GetInt32();
    }

    [SharedFact]
    public void Llama3Folder_FindsOriginalTiktokenModel_AndEncodesTheReferenceIds()
    {
        var tokenizer = TokenizerLoader.Load(Fixture("tiny-llama3-vocab128k"));
        Assert.IsType<TiktokenBpeTokenizer>(tokenizer);
        Assert.Equal(ExpectedInputIds("tiny-llama3-vocab128k"),
            tokenizer.Encode("This is a test sentence.", addBos: true).Select(i => (long)i));
        Assert.Equal(ConfigId("tiny-llama3-vocab128k", "vocab_size"), tokenizer.VocabSize);
        Assert.Equal(ConfigId("tiny-llama3-vocab128k", "bos_token_id"), tokenizer.BosId);
        Assert.Contains(ConfigId("tiny-llama3-vocab128k", "eos_token_id"), tokenizer.EosIds);
    }

    [SharedFact]
    public void Llama3Folder_ExplicitTokenizerJson_EncodesTheSame()
    {
        var tokenizer = TokenizerLoader.Load(Fixture("tiny-llama3-vocab128k"), "tokenizer.json");
        Assert.Equal(ExpectedInputIds("tiny-llama3-vocab128k"),
            tokenizer.Encode("This is a test sentence.", addBos: true).Select(i => (long)i));
    }

    [SharedFact]
    public void Llama2Folder_FindsSentencePieceModel_AndEncodesTheReferenceIds()
    {
        var tokenizer = TokenizerLoader.Load(Fixture("tiny-llama2-vocab32k"));
        Assert.IsType<SentencePieceBpeTokenizer>(tokenizer);
        Assert.Equal(ExpectedInputIds("tiny-llama2-vocab32k"),
            tokenizer.Encode("Hello world", addBos: true).Select(i => (long)i));
        Assert.Equal(ConfigId("tiny-llama2-vocab32k", "vocab_size"), tokenizer.VocabSize);
        Assert.Equal(ConfigId("tiny-llama2-vocab32k", "bos_token_id"), tokenizer.BosId);
        Assert.Equal([ConfigId("tiny-llama2-vocab32k", "eos_token_id")], tokenizer.EosIds);
        Assert.Equal("Hello world", tokenizer.Decode(tokenizer.Encode("Hello world", addBos: true), skipSpecial: true));
    }

    [Fact]
    public void MissingFolder_IsNamed()
    {
        string missing = Path.Combine(Path.GetTempPath(), "paft-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => TokenizerLoader.Load(missing));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void FolderWithoutTokenizer_ListsTheNamesTried()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(folder.Path));
        Assert.Contains(folder.Path, e.Message);
        foreach (string name in TokenizerLoader.StandardNames)
            Assert.Contains(name, e.Message);
    }

    [Fact]
    public void MissingExplicitFile_IsNamed()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(folder.Path, "my.model"));
        Assert.Contains("my.model", e.Message);
    }

    [Fact]
    public void GarbageTokenizerModel_IsNamed()
    {
        using var folder = new TempFolder();
        string path = folder.WriteText("tokenizer.model", "this is neither protobuf nor tiktoken\n");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(folder.Path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TiktokenFile_WithABadLine_NamesFileAndLine()
    {
        using var folder = new TempFolder();
        string path = folder.WriteText("tokenizer.model", "IQ== 0\nIg== one\n");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(folder.Path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void TruncatedSentencePieceModel_IsNamed()
    {
        using var folder = new TempFolder();
        byte[] model = new SentencePieceModelWriter().AddSpecials().Add("▁").Add("a").ToArray();
        string path = Path.Combine(folder.Path, "tokenizer.model");
        File.WriteAllBytes(path, model[..^5]);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(folder.Path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void MalformedTokenizerConfig_IsNamed()
    {
        using var folder = new TempFolder();
        new SentencePieceModelWriter().AddSpecials().Add("▁").WriteTo(folder.Path);
        string path = folder.WriteText("tokenizer_config.json", "{ \"bos_token\": ");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(folder.Path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void SpecialTokenOnANormalId_IsRefused()
    {
        using var folder = new TempFolder();
        folder.WriteText("tokenizer.model", string.Concat(Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}\n")));
        string path = folder.WriteText("tokenizer_config.json",
            """{ "added_tokens_decoder": { "65": { "content": "<|begin_of_text|>", "special": true } } }""");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(folder.Path));
        Assert.Contains(path, e.Message);
        Assert.Contains("65", e.Message);
    }

    [Fact]
    public void SmallTiktokenFolder_UsesMetasStandardSpecialLayout()
    {
        // 256 single-byte ranks: the special tokens start right after them.
        using var folder = new TempFolder();
        folder.WriteText("tokenizer.model", string.Concat(Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}\n")));
        var tokenizer = TokenizerLoader.Load(folder.Path);
        Assert.Equal(256 + 256, tokenizer.VocabSize);
        Assert.Equal(256, tokenizer.BosId);                                   // <|begin_of_text|>
        Assert.Equal([257, 265], tokenizer.EosIds);                           // <|end_of_text|>, <|eot_id|>
        Assert.Equal([262], tokenizer.Encode("<|start_header_id|>", parseSpecial: true));
        Assert.Equal([256 + 255], tokenizer.Encode("<|reserved_special_token_250|>", parseSpecial: true));
        Assert.Equal([(int)'h', (int)'i'], tokenizer.Encode("hi"));
    }

    [Fact]
    public void ConfigEosList_AndGenerationConfig_AreAllEosIds()
    {
        using var folder = new TempFolder();
        new SentencePieceModelWriter().AddSpecials().Add("▁").Add("a").WriteTo(folder.Path);
        folder.WriteText("config.json", """{ "bos_token_id": 1, "eos_token_id": [2, 4] }""");
        folder.WriteText("generation_config.json", """{ "eos_token_id": 3 }""");
        var tokenizer = TokenizerLoader.Load(folder.Path);
        Assert.Equal([2, 4, 3], tokenizer.EosIds);
    }

    [Fact]
    public void AddedTokens_AreParsedWhateverTheirFirstCharacter()
    {
        using var folder = new TempFolder();
        folder.WriteText("tokenizer.model", string.Concat(Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}\n")));
        folder.WriteText("tokenizer_config.json",
            """{ "added_tokens_decoder": { "256": { "content": "[SEP]" }, "257": { "content": "<|begin_of_text|>" } }, "bos_token": "<|begin_of_text|>" }""");
        var tokenizer = TokenizerLoader.Load(folder.Path);
        Assert.Equal([257, 'a', 256, 'b'], tokenizer.Encode("a[SEP]b", addBos: true, parseSpecial: true));
        Assert.Equal(257, tokenizer.BosId);
    }

    [Fact]
    public void TokenizerJson_WithAnotherPreTokenizer_IsRefusedByName()
    {
        using var folder = new TempFolder();
        string path = folder.WriteText("tokenizer.json", """
            { "pre_tokenizer": { "type": "ByteLevel", "add_prefix_space": false, "use_regex": true },
              "model": { "type": "BPE", "vocab": { "a": 0, "b": 1, "ab": 2 }, "merges": [ "a b" ] } }
            """);
        var e = Assert.Throws<NotSupportedException>(() => TokenizerLoader.Load(folder.Path));
        Assert.Contains(path, e.Message);
    }
}
