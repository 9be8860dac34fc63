using System.Text.RegularExpressions;
using Paft.MLNet.Perturbation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Perturbation;

public class AdversarialTemplateGeneratorTests
{
    public static TheoryData<string> BuiltInTasks => new(TaskDefinition.BuiltIn.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(BuiltInTasks))]
    public void EveryVariantOfTheOfflinePoolValidatesAndKeepsPlaceholders(string taskName)
    {
        TaskDefinition task = TaskDefinition.FromName(taskName);
        PromptPool pool = new OfflineTemplateGenerator(task).GeneratePool(60, seed: 3);
        PromptPool adversarial = new AdversarialTemplateGenerator(new AdversarialTemplateOptions { VariantsPerTemplate = 3, Seed = 1 })
            .Generate(pool, task);

        Assert.Equal(3 * pool.Count, adversarial.Count);
        Assert.Empty(adversarial.Validate(task));
        foreach (PromptPoolEntry variant in adversarial)
        {
            string originalId = variant.Metadata["adversarial_of"];
            Assert.Matches("^" + Regex.Escape(originalId) + @"~adv[1-3]$", variant.Id);
            Assert.True(pool.TryGet(originalId, out PromptPoolEntry? original));
            Assert.NotEqual(original.Template.Text, variant.Template.Text);
            // Placeholders intact and in their original order.
            Assert.Equal(original.Template.PlaceholderOrder, variant.Template.PlaceholderOrder);
            Assert.NotEmpty(variant.Metadata["perturbations"]);
        }
        // Every kind of edit occurs somewhere in the pool.
        var kinds = adversarial.SelectMany(e => e.Metadata["perturbations"].Split(',')).ToHashSet();
        Assert.Equal(["distractor", "instruction-move", "label-style", "option-layout", "typos"], kinds.Order());
    }

    [Fact]
    public void SameSeedSamePoolOtherSeedOtherPool()
    {
        TaskDefinition task = TaskDefinition.HellaSwag;
        PromptPool pool = new OfflineTemplateGenerator(task).GeneratePool(20, seed: 8);
        string[] Texts(int seed) => new AdversarialTemplateGenerator(new AdversarialTemplateOptions { Seed = seed }).Generate(pool, task)
            .Select(e => e.Template.Text).ToArray();
        Assert.Equal(Texts(5), Texts(5));
        Assert.NotEqual(Texts(5), Texts(6));
    }

    [Fact]
    public void LabelStyleChangesEveryOptionLabelConsistently()
    {
        TaskDefinition task = TaskDefinition.HellaSwag;
        PromptTemplate template = PromptTemplate.Parse("Pick the ending.\n\n{ctx}\nA. {A}\nB. {B}\nC. {C}\nD. {D}\nAnswer:", "t");
        PromptPool adversarial = new AdversarialTemplateGenerator(new AdversarialTemplateOptions
        {
            Perturbations = AdversarialPerturbations.LabelStyle, VariantsPerTemplate = 2,
        }).Generate(PromptPool.FromTemplates([template]), task);

        Assert.Equal(2, adversarial.Count);
        Assert.NotEqual(adversarial[0].Template.Text, adversarial[1].Template.Text);
        foreach (PromptPoolEntry variant in adversarial)
        {
            string text = variant.Template.Text;
            Match style = Regex.Match(text, @"\n(\(A\)|A\)|A:) \{A\}");
            Assert.True(style.Success, text);
            string pattern = style.Groups[1].Value;
            foreach (string label in new[] { "B", "C", "D" })
                Assert.Contains("\n" + pattern.Replace("A", label) + " {" + label + "}", text);
            Assert.DoesNotContain("A. {A}", text);
            Assert.StartsWith("Pick the ending.\n\n{ctx}\n", text);
            Assert.EndsWith("{D}\nAnswer:", text);
        }
    }

    [Fact]
    public void OptionLayoutTogglesBetweenLinesAndInline()
    {
        TaskDefinition task = TaskDefinition.Piqa;
        var only = new AdversarialTemplateOptions { Perturbations = AdversarialPerturbations.OptionLayout };
        PromptTemplate perLine = PromptTemplate.Parse("Goal: {goal}\nOptions:\n(A) {sol1}\n(B) {sol2}\nAnswer:", "lines");
        PromptTemplate inline = PromptTemplate.Parse("Goal: {goal}\nOptions: (A) {sol1}  (B) {sol2}\nAnswer:", "inline");
        PromptPool result = new AdversarialTemplateGenerator(only).Generate(PromptPool.FromTemplates([perLine, inline]), task);

        Assert.Equal("Goal: {goal}\nOptions:\n(A) {sol1}  (B) {sol2}\nAnswer:", result[0].Template.Text);
        Assert.Equal("Goal: {goal}\nOptions:\n(A) {sol1}\n(B) {sol2}\nAnswer:", result[1].Template.Text);
    }

    [Fact]
    public void InstructionMovesBehindTheContentAndBack()
    {
        TaskDefinition task = TaskDefinition.Piqa;
        var only = new AdversarialTemplateOptions { Perturbations = AdversarialPerturbations.InstructionMove };
        PromptTemplate first = PromptTemplate.Parse("Choose the better solution.\n\nGoal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "first");
        PromptTemplate last = PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nB. {sol2}\n\nChoose the better solution. Answer with A or B.\nAnswer:", "last");
        PromptPool result = new AdversarialTemplateGenerator(only).Generate(PromptPool.FromTemplates([first, last]), task);

        Assert.Equal("Goal: {goal}\nA. {sol1}\nB. {sol2}\n\nChoose the better solution.\nAnswer:", result[0].Template.Text);
        Assert.Equal("Choose the better solution. Answer with A or B.\n\nGoal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", result[1].Template.Text);
    }

    [Fact]
    public void TyposTouchInstructionWordsOnlyAndLeaveTheCue()
    {
        TaskDefinition task = TaskDefinition.Piqa;
        PromptTemplate template = PromptTemplate.Parse("Choose the solution that best achieves the goal.\nGoal: {goal}\nA. {sol1}\nB. {sol2}\nThe answer is", "t");
        PromptPool result = new AdversarialTemplateGenerator(new AdversarialTemplateOptions
        {
            Perturbations = AdversarialPerturbations.Typos, TypoRate = 1.0, VariantsPerTemplate = 4,
        }).Generate(PromptPool.FromTemplates([template]), task);

        Assert.Equal(4, result.Count);
        foreach (PromptPoolEntry variant in result)
        {
            string text = variant.Template.Text;
            Assert.EndsWith("\nA. {sol1}\nB. {sol2}\nThe answer is", text);
            string instruction = text[..text.IndexOf('\n')];
            // Every word of three letters or more got exactly one typo: none is left as it was.
            string[] words = instruction.Split(' ', '.').Where(w => w.Length > 0).ToArray();
            Assert.DoesNotContain("solution", words);
            Assert.DoesNotContain("achieves", words);
        }
    }

    [Fact]
    public void EscapedTemplatesStayInTheirConvention()
    {
        TaskDefinition task = TaskDefinition.Piqa;
        PromptTemplate template = PromptTemplate.Parse(@"Pick one {{exactly}}.\n\nGoal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "esc", PromptTextEscaping.BackslashSequences);
        PromptPool result = new AdversarialTemplateGenerator(new AdversarialTemplateOptions
        {
            Perturbations = AdversarialPerturbations.OptionLayout | AdversarialPerturbations.InstructionMove,
        }).Generate(PromptPool.FromTemplates([template]), task);

        PromptTemplate variant = result[0].Template;
        Assert.Equal(PromptTextEscaping.BackslashSequences, variant.Escaping);
        Assert.DoesNotContain('\n', variant.Text);
        Assert.Equal("Goal: {goal}\nA. {sol1}  B. {sol2}\n\nPick one {exactly}.\nAnswer:", variant.DisplayText);
    }

    [Fact]
    public void InvalidTestTemplateIsNamed()
    {
        PromptTemplate broken = PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nAnswer:", "broken-7");
        var error = Assert.Throws<ArgumentException>(() => new AdversarialTemplateGenerator().Generate(PromptPool.FromTemplates([broken]), TaskDefinition.Piqa));
        Assert.Contains("'broken-7'", error.Message);
        Assert.Contains("sol2", error.Message);
    }

    [Fact]
    public void AdversarialPoolSavesAndLoadsWithItsProvenance()
    {
        TaskDefinition task = TaskDefinition.WinoGrande;
        PromptPool adversarial = new AdversarialTemplateGenerator().Generate(new OfflineTemplateGenerator(task).GeneratePool(5, seed: 2), task);
        string folder = Path.Combine(Path.GetTempPath(), "paft-adv-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(folder, "adversarial.jsonl");
            adversarial.Save(path);
            PromptPool loaded = PromptPool.Load(path);
            Assert.Equal(adversarial.Select(e => (e.Id, e.Template.Text)), loaded.Select(e => (e.Id, e.Template.Text)));
            Assert.All(loaded, e => Assert.StartsWith(e.Metadata["adversarial_of"] + "~adv", e.Id));
            Assert.All(loaded, e => Assert.Equal("offline", e.Metadata["source"]));
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
