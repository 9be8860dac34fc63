using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.PromptGeneration;

public sealed class BasicTemplateValidatorTests
{
    [Theory]
    [InlineData("Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:")]
    [InlineData("{{literal braces}} {goal} {sol1} {sol2} {sol1}")]       // escapes and a repeat are legal str.format
    [InlineData("{goal!s} {sol1:>10} {sol2}")]                            // conversions and format specs name the field before them
    public void Accepts_a_template_with_every_field(string template) =>
        Assert.Empty(BasicTemplateValidator.Validate(template, TaskDefinition.Piqa));

    [Theory]
    [InlineData("Goal: {goal} A. {sol1} Answer:", "missing placeholder {sol2}")]
    [InlineData("{goal} {sol1} {sol2} {sol3}", "unknown placeholder {sol3} (task 'piqa' has {goal}, {sol1}, {sol2})")]
    [InlineData("{goal} {sol1} {sol2} {}", "an empty placeholder {} (positional fields are not allowed)")]
    [InlineData("{goal} {sol1} {sol2} {oops", "unmatched '{' at character 21")]
    [InlineData("{goal} {sol1} {sol2} oops}", "unmatched '}' at character 25")]
    [InlineData("{goal {sol1} {sol2}", "unmatched '{' at character 0")]
    [InlineData("  ", "the template is empty")]
    public void Names_the_problem(string template, string problem) =>
        Assert.Contains(problem, BasicTemplateValidator.Validate(template, TaskDefinition.Piqa));

    [Fact]
    public void Checks_the_fields_of_the_given_task()
    {
        IReadOnlyList<string> problems = BasicTemplateValidator.Validate("{ctx} {A} {B}", TaskDefinition.HellaSwag);
        Assert.Equal(["missing placeholder {C}", "missing placeholder {D}"], problems);
    }
}
