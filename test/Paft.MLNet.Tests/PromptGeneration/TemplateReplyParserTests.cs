using Paft.MLNet.Prompts;
using Paft.MLNet.PromptGeneration;

namespace Paft.MLNet.Tests.PromptGeneration;

public sealed class TemplateReplyParserTests
{
    [Fact]
    public void Reads_a_json_array_with_escaped_newlines()
    {
        (IReadOnlyList<string> candidates, string? error) = TemplateReplyParser.Parse("[\"Q: {goal}\\nA. {sol1}\", \"  {goal} {sol1} {sol2}  \"]");
        Assert.Null(error);
        Assert.Equal(["Q: {goal}\nA. {sol1}", "{goal} {sol1} {sol2}"], candidates);
    }

    [Fact]
    public void Strips_code_fences_and_preamble()
    {
        string reply = "Sure! Here they are:\n```json\n[\n  \"{goal} one\",\n  \"{goal} two\"\n]\n```\nHope this helps.";
        Assert.Equal(["{goal} one", "{goal} two"], TemplateReplyParser.Parse(reply).Candidates);
    }

    [Fact]
    public void Reads_an_array_after_a_preamble_without_fences()
    {
        string reply = "Here are the templates:\n[\"{goal} one\", \"{goal} two\"]";
        Assert.Equal(["{goal} one", "{goal} two"], TemplateReplyParser.Parse(reply).Candidates);
    }

    [Fact]
    public void Reads_an_object_wrapping_the_array()
    {
        Assert.Equal(["{goal} x"], TemplateReplyParser.Parse("{\"templates\": [\"{goal} x\"]}").Candidates);
    }

    [Fact]
    public void Reads_numbered_and_bulleted_lines_and_skips_commentary()
    {
        string reply = "Here are three templates:\n\n1. Goal: {goal}\\nA. {sol1}\n2) \"{goal}? {sol1} or {sol2}\",\n- * {goal} *\n• {goal} last\nThat is all.";
        (IReadOnlyList<string> candidates, string? error) = TemplateReplyParser.Parse(reply);
        Assert.Null(error);
        Assert.Equal(["Goal: {goal}\nA. {sol1}", "{goal}? {sol1} or {sol2}", "* {goal} *", "{goal} last"], candidates);
    }

    [Fact]
    public void A_line_template_that_starts_with_a_brace_or_bracket_is_not_json()
    {
        string reply = "{goal} first\n[Question] {goal} second";
        Assert.Equal(["{goal} first", "[Question] {goal} second"], TemplateReplyParser.Parse(reply).Candidates);
    }

    [Theory]
    [InlineData("", "the reply is empty")]
    [InlineData("   \n ", "the reply is empty")]
    [InlineData("I cannot help with that.", "no templates found")]
    [InlineData("[\"{goal} a\", \"unterminated", "unparseable JSON")]
    [InlineData("[]", "the JSON array in the reply is empty")]
    [InlineData("[\"{goal}\", 3]", "element 1 of the JSON array is a Number")]
    [InlineData("{\"note\": \"nothing\"}", "the JSON object in the reply holds no array")]
    public void Rejects_a_reply_without_templates_with_the_reason(string reply, string reasonStart)
    {
        (IReadOnlyList<string> candidates, string? error) = TemplateReplyParser.Parse(reply);
        Assert.Empty(candidates);
        Assert.NotNull(error);
        Assert.StartsWith(reasonStart, error);
    }

    [Theory]
    [InlineData("Goal: {goal}\nA", "goal: {goal} a")]
    [InlineData("  GOAL:\t{goal}  \n\n A ", "goal: {goal} a")]
    public void Normalizes_case_and_whitespace_for_deduplication(string template, string expected) =>
        Assert.Equal(expected, TextShingles.Normalize(template));
}
