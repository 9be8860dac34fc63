using Paft.Llama.Tokenization;
using Paft.Tests.Common;

namespace Paft.Llama.Tests.Tokenization;

public class ChatTemplateTests
{
    private static readonly ChatTurn[] Dialog =
    [
        new("system", "You are terse."),
        new("user", "  What is 2+2?\n"),
    ];

    // Built by hand from Meta's llama3 ChatFormat: BOS, then per message
    // <|start_header_id|>role<|end_header_id|>\n\n + content.strip() + <|eot_id|>, then the assistant header.
    private const string Expected =
        "<|begin_of_text|>"
        + "<|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
        + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
        + "<|start_header_id|>assistant<|end_header_id|>\n\n";

    [Fact]
    public void Llama3_Format_IsMetasBytes()
    {
        Assert.Equal(Expected, Llama3ChatTemplate.Format(Dialog));
    }

    [Fact]
    public void Llama3_Format_WithoutGenerationPrompt_EndsAtTheLastTurn()
    {
        Assert.Equal(Expected[..Expected.IndexOf("<|start_header_id|>assistant", StringComparison.Ordinal)],
            Llama3ChatTemplate.Format(Dialog, addGenerationPrompt: false));
    }

    [Fact]
    public void Llama3_Format_StripsPythonWhitespace_IncludingInformationSeparators()
    {
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
            Llama3ChatTemplate.Format([new("user", "\u001f\t hi \u00a0\u001c")], addGenerationPrompt: false));
    }

    [SharedFact]
    public void Llama3_Encode_EqualsTheFormattedTextWithSpecialsParsed()
    {
        var tokenizer = TokenizerVectors.Llama3.Value;
        IReadOnlyList<int> ids = Llama3ChatTemplate.Encode(tokenizer, Dialog);
        Assert.Equal(tokenizer.Encode(Expected, parseSpecial: true), ids);
        Assert.Equal(Expected, tokenizer.Decode(ids));

        // The structure, id by id: BOS, header ids around the role, "\n\n", content, eot.
        int start = tokenizer.Encode("<|start_header_id|>", parseSpecial: true).Single();
        int end = tokenizer.Encode("<|end_header_id|>", parseSpecial: true).Single();
        int eot = tokenizer.Encode("<|eot_id|>", parseSpecial: true).Single();
        int[] expected =
        [
            tokenizer.BosId,
            start, .. tokenizer.Encode("system"), end, .. tokenizer.Encode("\n\n"), .. tokenizer.Encode("You are terse."), eot,
            start, .. tokenizer.Encode("user"), end, .. tokenizer.Encode("\n\n"), .. tokenizer.Encode("What is 2+2?"), eot,
            start, .. tokenizer.Encode("assistant"), end, .. tokenizer.Encode("\n\n"),
        ];
        Assert.Equal(expected, ids);
    }

    [SharedFact]
    public void Llama3_Encode_KeepsSpecialTextInContentAsText()
    {
        var tokenizer = TokenizerVectors.Llama3.Value;
        int eot = tokenizer.Encode("<|eot_id|>", parseSpecial: true).Single();
        IReadOnlyList<int> ids = Llama3ChatTemplate.Encode(tokenizer, [new("user", "a<|eot_id|>b")], addGenerationPrompt: false);
        Assert.Equal(1, ids.Count(id => id == eot));
        Assert.Equal(eot, ids[^1]);
    }

    [SharedFact]
    public void Llama3_Encode_RefusesATokenizerWithoutHeaders()
    {
        Assert.Throws<ArgumentException>(() => Llama3ChatTemplate.Encode(TokenizerVectors.Llama2.Value, Dialog));
    }

    [SharedFact]
    public void Llama2_Encode_IsMetasInstFormat()
    {
        var tokenizer = TokenizerVectors.Llama2.Value;
        ChatTurn[] dialog =
        [
            new("system", "Be brief."),
            new("user", " Hi "),
            new("assistant", "Hello."),
            new("user", "Bye"),
        ];
        // Meta strips the folded (system + user) content only at its ends: the user's leading space stays.
        int[] expected =
        [
            .. tokenizer.Encode("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\n Hi [/INST] Hello. ", addBos: true), tokenizer.EosIds[0],
            .. tokenizer.Encode("[INST] Bye [/INST]", addBos: true),
        ];
        Assert.Equal(expected, Llama2ChatTemplate.Encode(tokenizer, dialog));
    }

    [SharedFact]
    public void Llama2_Encode_RefusesRolesOutOfOrder()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Llama2ChatTemplate.Encode(TokenizerVectors.Llama2.Value, [new("user", "a"), new("user", "b")]));
        Assert.Contains("Message 1", e.Message);
    }
}
