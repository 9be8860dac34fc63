using Paft.MLNet.Evaluation;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Evaluation;

/// <summary>
/// Cases for each family of OpenCompass's <c>first_option_postprocess</c> cascade; each expected letter
/// was worked out by walking the ordered patterns by hand (first matching pattern wins, then the first
/// option in option order inside its match).
/// </summary>
public sealed class AnswerExtractorTests
{
    [Theory]
    // Chinese answer phrases.
    [InlineData("答案是B", "ABCD", "B")]
    [InlineData("答案：C", "ABCD", "C")]
    [InlineData("答案应该是 D", "ABCD", "D")]
    [InlineData("我选择A", "ABCD", "A")]
    [InlineData("只有选项B是对的", "ABCD", "B")]
    [InlineData("C是正确的", "ABCD", "C")]
    [InlineData("正确答案是C选项", "ABCD", "C")]
    // A numbered line ending in an option.
    [InlineData("1. C", "ABCD", "C")]
    // An option closing the text after a separator; this beats the English phrase patterns below.
    [InlineData("The answer is C.", "ABCD", "C")]
    [InlineData("Answer: A", "ABCD", "A")]
    [InlineData("Answer:\nD", "ABCD", "D")]
    [InlineData("Because of this, the answer is: B", "ABCD", "B")]
    [InlineData(" A B C D", "ABCD", "D")]
    // "答案是 <token>": the first option in option order inside the token, not the first in the text.
    [InlineData("答案是(D/A)", "ABCD", "A")]
    // English answer phrases.
    [InlineData("The correct answer is option B, because it fits", "ABCD", "B")]
    [InlineData("The answer to the question is D", "ABCD", "D")]
    [InlineData("the answer is D because A is wrong", "ABCD", "D")]
    // An option standing alone or opening the text.
    [InlineData("B", "ABCD", "B")]
    [InlineData("D\n", "ABCD", "D")]
    [InlineData("A. The man walks away.", "ABCD", "A")]
    // The cushion: "X:" first, then any option letter.
    [InlineData("A-grade choice-C: done", "ABCD", "C")]
    [InlineData("The answer is (C)", "ABCD", "C")]
    // Two-option tasks only look for A and B.
    [InlineData("Answer: B", "AB", "B")]
    public void Finds_the_option_the_cascade_finds(string text, string options, string expected) =>
        Assert.Equal(expected, AnswerExtractor.FirstOption(text, options));

    [Theory]
    [InlineData("I don't know.", "ABCD", true)]
    [InlineData("None of the above", "ABCD", true)]
    [InlineData("the answer is b", "ABCD", true)]
    [InlineData("C", "AB", true)]
    [InlineData("", "ABCD", true)]
    // Without the cushion, letters that stand in no recognised position are not answers.
    [InlineData("The option is (B)", "ABCD", false)]
    [InlineData("A-grade choice-C: done", "ABCD", false)]
    [InlineData("ABCD", "ABCD", false)]
    public void Finds_nothing_where_no_option_stands_as_an_answer(string text, string options, bool cushion) =>
        Assert.Null(AnswerExtractor.FirstOption(text, options, cushion));

    [Fact]
    public void Cushion_changes_the_outcome_only_as_a_last_resort()
    {
        Assert.Equal("B", AnswerExtractor.FirstOption("The option is (B)", "ABCD", cushion: true));
        Assert.Equal("B", AnswerExtractor.FirstOption("Answer: B", "ABCD", cushion: false));
    }

    [Fact]
    public void Extract_gives_index_and_generated_length()
    {
        ExtractedAnswer answer = AnswerExtractor.Extract("The answer is C.", TaskDefinition.HellaSwag.AnswerLabels, generatedTokenCount: 5);
        Assert.Equal("C", answer.Letter);
        Assert.Equal(2, answer.Index);
        Assert.Equal(16, answer.GeneratedCharacters);
        Assert.Equal(5, answer.GeneratedTokens);

        ExtractedAnswer none = AnswerExtractor.Extract("no idea", TaskDefinition.Piqa.AnswerLabels);
        Assert.Null(none.Letter);
        Assert.Equal(-1, none.Index);
        Assert.Equal(7, none.GeneratedCharacters);
        Assert.Null(none.GeneratedTokens);
    }

    [Fact]
    public void Multi_character_labels_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => AnswerExtractor.Extract("x", ["yes", "no"]));
        Assert.Contains("single-character", error.Message);
    }
}
