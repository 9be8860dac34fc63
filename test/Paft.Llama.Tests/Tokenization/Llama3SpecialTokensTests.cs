using System.Text.Json;
using Paft.Llama.Tokenization;
using Paft.Tests.Common;

namespace Paft.Llama.Tests.Tokenization;

public class Llama3SpecialTokensTests
{
    private static readonly Lazy<ILlamaTokenizer> FromJsonFolder = new(() =>
        TokenizerLoader.Load(SharedData.Path("fixtures", "tokenizers", "llama3-hf-json")));

    /// <summary>The (id, content) pairs of tokenizer.json's added_tokens, read at run time.</summary>
    private static List<(int Id, string Content)> AddedTokens()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.Path("fixtures", "tokenizers", "llama3-hf-json", "tokenizer.json")));
        return [.. doc.RootElement.GetProperty("added_tokens").EnumerateArray()
            .Select(t => (t.GetProperty("id").GetInt32(), t.GetProperty("content").GetString()!))];
    }

    [SharedFact]
    public void SpecialTokens_HaveTheIdsOfTheJson()
    {
        var tokenizer = FromJsonFolder.Value;
        var added = AddedTokens();
        Assert.Equal(256, added.Count);
        foreach ((int id, string content) in added)
        {
            Assert.Equal([id], tokenizer.Encode(content, parseSpecial: true));
            Assert.Equal(content, tokenizer.Decode([id]));
            Assert.Equal("", tokenizer.Decode([id], skipSpecial: true));
        }
        Assert.Equal(added.Max(t => t.Id) + 1, tokenizer.VocabSize);
    }

    [SharedFact]
    public void StandardLayout_ForATiktokenOnlyFolder_EqualsTheJson()
    {
        // llama3-tiktoken has no config files, so its special tokens come from Meta's standard layout.
        var tokenizer = TokenizerVectors.Llama3.Value;
        foreach ((int id, string content) in AddedTokens())
            Assert.Equal([id], tokenizer.Encode(content, parseSpecial: true));
    }

    [SharedFact]
    public void BosAndEos_ComeFromTheConfig_PlusEndOfTurn()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.Path("fixtures", "tokenizers", "llama3-hf-json", "tokenizer_config.json")));
        string bos = doc.RootElement.GetProperty("bos_token").GetString()!;
        string eos = doc.RootElement.GetProperty("eos_token").GetString()!;
        var tokenizer = FromJsonFolder.Value;
        var byContent = AddedTokens().ToDictionary(t => t.Content, t => t.Id);
        Assert.Equal(byContent[bos], tokenizer.BosId);
        Assert.Equal([byContent[eos], byContent["<|eot_id|>"]], tokenizer.EosIds);
    }

    [SharedFact]
    public void SpecialText_IsOrdinaryTextUnlessParsed()
    {
        var tokenizer = FromJsonFolder.Value;
        IReadOnlyList<int> ids = tokenizer.Encode("a<|eot_id|>b");
        Assert.True(ids.Count > 3);
        Assert.All(ids, id => Assert.True(id < 128000));
        Assert.Equal("a<|eot_id|>b", tokenizer.Decode(ids));
        Assert.Equal(3, tokenizer.Encode("a<|eot_id|>b", parseSpecial: true).Count);
    }

    [SharedTheory]
    [MemberData(nameof(TokenizerVectors.Llama3Cases), MemberType = typeof(TokenizerVectors))]
    public void TokenizerJsonOnly_EncodesLikeTheTiktokenFile(int index, string text)
    {
        Assert.Equal(TokenizerVectors.Outputs("llama3-bpe")[index], FromJsonFolder.Value.Encode(text));
    }
}
