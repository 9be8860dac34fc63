using Paft.MLNet.Perturbation;
using Paft.MLNet.Selection;

namespace Paft.MLNet.Tests.Selection;

public class CandidateReplyTests
{
    [Fact]
    public void JsonArrayInsideFenceAndPreamble()
    {
        IReadOnlyList<string> candidates = CandidateReply.Parse("Sure!\n```json\n[\"Goal: {goal}\\nA. {sol1}\", \"  \", \"Q: {goal}\"]\n```");
        Assert.Equal(["Goal: {goal}\nA. {sol1}", "Q: {goal}"], candidates);
    }

    [Fact]
    public void NumberedLinesWithEscapedNewlines()
    {
        IReadOnlyList<string> candidates = CandidateReply.Parse("Here are two:\n1. Goal: {goal}\\nAnswer:\n- \"Pick one for {goal}\"\nThanks.");
        Assert.Equal(["Goal: {goal}\nAnswer:", "Pick one for {goal}"], candidates);
    }

    [Fact]
    public void BracketsThatAreNotJsonFallBackToLines()
    {
        IReadOnlyList<string> candidates = CandidateReply.Parse("[Option list] {goal} [A] {sol1}");
        Assert.Equal(["[Option list] {goal} [A] {sol1}"], candidates);
    }

    [Theory]
    [InlineData("\"A man paints a fence.\"", "A man paints a fence.")]
    [InlineData("Rewritten text: A man paints a fence.", "A man paints a fence.")]
    [InlineData("```\nA man paints a fence.\n```", "A man paints a fence.")]
    [InlineData("  ", "")]
    public void RewriteRepliesAreCleaned(string reply, string expected)
    {
        Assert.Equal(expected, ChatTextRewriter.Clean(reply));
    }
}
