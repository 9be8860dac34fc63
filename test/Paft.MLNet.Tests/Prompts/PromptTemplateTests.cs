using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Prompts;

public class PromptTemplateTests
{
    private static readonly Dictionary<string, string> PiqaRow = new()
    {
        ["goal"] = "Open a jar",
        ["sol1"] = "Twist the lid",
        ["sol2"] = "Shake it",
    };

    [Fact]
    public void Render_EqualsHandBuiltString()
    {
        var template = PromptTemplate.Parse("Q: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:");

        Assert.Equal("Q: Open a jar\nA. Twist the lid\nB. Shake it\nAnswer:", template.Render(PiqaRow));
    }

    [Fact]
    public void Parse_RecordsPlaceholdersInOrder_WithRepeats()
    {
        var template = PromptTemplate.Parse("{sol2} then {goal} and {sol2} or {sol1}");

        Assert.Equal(["sol2", "goal", "sol2", "sol1"], template.PlaceholderOrder);
        Assert.Equal(["sol2", "goal", "sol1"], template.Placeholders);
        Assert.Equal("Shake it then Open a jar and Shake it or Twist the lid", template.Render(PiqaRow));
    }

    [Theory]
    [InlineData("{{}}", "{}")]
    [InlineData("{{{goal}}}", "{Open a jar}")]
    [InlineData("}}{{", "}{")]
    [InlineData("a {{goal}} b", "a {goal} b")]
    [InlineData("", "")]
    [InlineData("no fields", "no fields")]
    public void Render_HandlesBraceEscapesLikePython(string text, string expected)
    {
        Assert.Equal(expected, PromptTemplate.Parse(text).Render(PiqaRow));
    }

    [Fact]
    public void Parse_AcceptsAnyKeywordNameLikePython()
    {
        // Python's "{ a }".format(**{" a ": "y"}) gives "y": the name is every character between the braces.
        var template = PromptTemplate.Parse("{ a }|{a-b}");

        Assert.Equal([" a ", "a-b"], template.Placeholders);
        Assert.Equal("y|z", template.Render(new Dictionary<string, string> { [" a "] = "y", ["a-b"] = "z" }));
    }

    [Theory]
    [InlineData("a}", 1, "single '}'")]
    [InlineData("x}}y}", 4, "single '}'")]
    [InlineData("{", 0, "never closed")]
    [InlineData("ab {goal", 3, "never closed")]
    [InlineData("{a{b}}", 2, "inside the placeholder")]
    [InlineData("x {}", 2, "positional")]
    [InlineData("x {0}", 2, "positional")]
    [InlineData("{goal!r}", 5, "conversion")]
    [InlineData("{goal:>10}", 5, "format spec")]
    [InlineData("{goal.upper}", 5, "attribute or index")]
    [InlineData("{goal[0]}", 5, "attribute or index")]
    public void Parse_RejectsWithIdAndPosition(string text, int position, string reason)
    {
        var error = Assert.Throws<PromptTemplateException>(() => PromptTemplate.Parse(text, "t-7"));

        Assert.Equal("t-7", error.TemplateId);
        Assert.Equal(position, error.Position);
        Assert.Contains(reason, error.Message);
        Assert.StartsWith($"Template 't-7', position {position}:", error.Message);
    }

    [Fact]
    public void TryParse_ReportsInsteadOfThrowing()
    {
        Assert.False(PromptTemplate.TryParse("oops {", "bad", PromptTextEscaping.None, out var none, out var error));
        Assert.Null(none);
        Assert.Equal(5, error!.Position);

        Assert.True(PromptTemplate.TryParse("{goal}", out var template));
        Assert.Equal(["goal"], template!.Placeholders);
    }

    [Fact]
    public void BackslashEscaping_DecodesPaftConvention_AndKeepsSourcePositions()
    {
        // The source holds the two characters '\' 'n', as in the PAFT authors' files.
        string source = @"Goal: {goal}\nA. {sol1}\tB. {sol2}\\n\q}";

        var error = Assert.Throws<PromptTemplateException>(() => PromptTemplate.Parse(source, "esc", PromptTextEscaping.BackslashSequences));
        Assert.Equal(source.Length - 1, error.Position);

        var template = PromptTemplate.Parse(source[..^1], "esc", PromptTextEscaping.BackslashSequences);
        Assert.Equal("Goal: Open a jar\nA. Twist the lid\tB. Shake it\\n\\q", template.Render(PiqaRow));
        Assert.Equal(source[..^1], template.Text);

        var literal = PromptTemplate.Parse(source[..^1]);
        Assert.Equal(@"Goal: Open a jar\nA. Twist the lid\tB. Shake it\\n\q", literal.Render(PiqaRow));
    }

    [Fact]
    public void Render_MissingField_NamesTemplateAndField()
    {
        var template = PromptTemplate.Parse("{goal} {extra}", "t1");

        var error = Assert.Throws<KeyNotFoundException>(() => template.Render(PiqaRow));
        Assert.Contains("'t1'", error.Message);
        Assert.Contains("'extra'", error.Message);
        Assert.Contains("position 7", error.Message);
    }

    [Fact]
    public void Validate_ValidTemplate_HasNoProblems()
    {
        Assert.Empty(PromptTemplate.Parse("{goal} A. {sol1} B. {sol2}").Validate(TaskDefinition.Piqa));
    }

    [Fact]
    public void Validate_ReportsUnknownWithPosition_AndMissing()
    {
        var template = PromptTemplate.Parse("{goal} A. {sol1} B. {solution2}", "p9");

        IReadOnlyList<TemplateProblem> problems = template.Validate(TaskDefinition.Piqa);

        Assert.Equal(2, problems.Count);
        Assert.Equal(TemplateProblemKind.UnknownPlaceholder, problems[0].Kind);
        Assert.Equal(20, problems[0].Position);
        Assert.Contains("p9", problems[0].Message);
        Assert.Contains("{solution2}", problems[0].Message);
        Assert.Equal(TemplateProblemKind.MissingPlaceholder, problems[1].Kind);
        Assert.Contains("{sol2}", problems[1].Message);
        Assert.Equal(-1, problems[1].Position);
    }

    [Fact]
    public void Check_ReportsUnbalancedBracesAsSyntaxProblem()
    {
        IReadOnlyList<TemplateProblem> problems = PromptTemplate.Check("{goal} A. {sol1 B. {sol2}", "p3", TaskDefinition.Piqa);

        TemplateProblem problem = Assert.Single(problems);
        Assert.Equal(TemplateProblemKind.Syntax, problem.Kind);
        Assert.Equal(19, problem.Position);
        Assert.Contains("p3", problem.Message);
    }

    [Fact]
    public void DisplayText_ResolvesEscapesAndShowsPlaceholders()
    {
        var template = PromptTemplate.Parse(@"{{x}} {goal}\n", escaping: PromptTextEscaping.BackslashSequences);

        Assert.Equal("{x} {goal}\n", template.DisplayText);
    }
}
