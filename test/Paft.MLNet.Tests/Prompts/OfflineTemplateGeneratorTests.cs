using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Prompts;

public class OfflineTemplateGeneratorTests
{
    public static TheoryData<string> BuiltInTasks => new() { "hellaswag", "piqa", "race", "winogrande" };

    [Theory]
    [MemberData(nameof(BuiltInTasks))]
    public void Generates400DistinctValidTemplates(string taskName)
    {
        TaskDefinition task = TaskDefinition.FromName(taskName);

        IReadOnlyList<PromptTemplate> templates = new OfflineTemplateGenerator(task).Generate(400, seed: 1);

        Assert.Equal(400, templates.Count);
        Assert.Equal(400, templates.Select(t => t.Text).Distinct().Count());
        Assert.Equal(400, templates.Select(t => t.Id).Distinct().Count());
        foreach (PromptTemplate template in templates)
        {
            Assert.Empty(template.Validate(task));
            Assert.Equal(task.Fields.Count, template.PlaceholderOrder.Count);
            Assert.NotNull(AnswerCues.EndingOf(template.Text));
        }
        // Distinct after our own normalisation too, so the exact dedupe would keep all of them.
        Assert.Equal(400, PromptPool.FromTemplates(templates).RemoveExactDuplicates().Count);
    }

    [Fact]
    public void SameSeed_SameList_OtherSeed_Different()
    {
        var generator = new OfflineTemplateGenerator(TaskDefinition.HellaSwag);

        string[] first = generator.Generate(50, seed: 42).Select(t => t.Text).ToArray();
        string[] again = new OfflineTemplateGenerator(TaskDefinition.HellaSwag).Generate(50, seed: 42).Select(t => t.Text).ToArray();
        string[] other = generator.Generate(50, seed: 43).Select(t => t.Text).ToArray();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void TemplateKeepsItsIdAcrossSeeds()
    {
        var generator = new OfflineTemplateGenerator(TaskDefinition.Piqa);
        var byId = generator.Generate(generator.Capacity / 10, seed: 1).ToDictionary(t => t.Id, t => t.Text);

        foreach (PromptTemplate template in generator.Generate(200, seed: 2))
            if (byId.TryGetValue(template.Id, out string? text))
                Assert.Equal(text, template.Text);
    }

    [Fact]
    public void BuiltInTasksUseTheirOwnWording()
    {
        string piqa = string.Join("\n", new OfflineTemplateGenerator(TaskDefinition.Piqa).Generate(300, 3).Select(t => t.Text));
        string race = string.Join("\n", new OfflineTemplateGenerator(TaskDefinition.Race).Generate(300, 3).Select(t => t.Text));

        Assert.Contains("Goal: {goal}", piqa);
        Assert.Contains("Answer with A or B.", piqa);
        Assert.DoesNotContain("C.", piqa);
        Assert.Contains("Article: {article}\nQuestion: {question}", race);
        Assert.Contains("Answer with A, B, C or D.", race);
    }

    [Fact]
    public void Layouts_RenderAsDescribed()
    {
        // Grammar index 0 takes the first choice of every dimension: first instruction, unlabelled
        // context, "A." labels, one option per line, no header, instruction first, no hint, "Answer:".
        var generator = new OfflineTemplateGenerator(TaskDefinition.Piqa);

        Assert.Equal("Choose the solution that best achieves the goal.\n\n{goal}\nA. {sol1}\nB. {sol2}\nAnswer:", generator.Compose(0));
    }

    [Fact]
    public void CustomTask_GetsGenericWordingAndFieldLabels()
    {
        var task = new TaskDefinition("triage", ["symptom_text", "first", "second", "third"], ["first", "second", "third"], ["1", "2", "3"]);
        var generator = new OfflineTemplateGenerator(task);

        IReadOnlyList<PromptTemplate> templates = generator.Generate(400, seed: 5);

        Assert.True(generator.Capacity >= 400);
        Assert.All(templates, t => Assert.Empty(t.Validate(task)));
        string all = string.Join("\n", templates.Select(t => t.Text));
        Assert.Contains("Symptom text: {symptom_text}", all);
        Assert.Contains("(1) {first}", all);
        Assert.Contains("Answer with 1, 2 or 3.", all);
        Assert.DoesNotContain("letter", all);
    }

    [Fact]
    public void GeneratePool_RecordsSourceAndSeed()
    {
        PromptPool pool = new OfflineTemplateGenerator(TaskDefinition.WinoGrande).GeneratePool(10, seed: 9);

        Assert.Equal(10, pool.Count);
        Assert.All(pool, e => Assert.Equal("offline", e.Metadata["source"]));
        Assert.All(pool, e => Assert.Equal("9", e.Metadata["seed"]));
    }

    [Fact]
    public void CountAboveCapacity_SaysTheCapacity()
    {
        var generator = new OfflineTemplateGenerator(TaskDefinition.Piqa);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => generator.Generate(generator.Capacity + 1, 1));
        Assert.Contains(generator.Capacity.ToString(), error.Message);
    }
}
