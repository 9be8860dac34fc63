using System.Text.RegularExpressions;
using Paft.Demo;
using Paft.MLNet.Tasks;

namespace Paft.Demo.Tests;

public class DemoTaskTests
{
    private static readonly Regex Fact = new(@"^(\w+) (\w+) the (\w+) in the (\w+ \w+)\.$");

    /// <summary>Reads the story back into object → container, independently of the generator's own records.</summary>
    private static Dictionary<string, string> WhereIs(string context)
    {
        var where = new Dictionary<string, string>();
        foreach (string sentence in Regex.Split(context, @"(?<=\.) "))
        {
            Match m = Fact.Match(sentence);
            Assert.True(m.Success, $"'{sentence}' is not a fact sentence");
            Assert.True(where.TryAdd(m.Groups[3].Value, m.Groups[4].Value), $"object '{m.Groups[3].Value}' is placed twice");
        }
        return where;
    }

    [Fact]
    public void SameSeedSameExamplesOtherSeedOthers()
    {
        var a = DemoTask.Generate(50, 11);
        var b = DemoTask.Generate(50, 11);
        var c = DemoTask.Generate(50, 12);
        Assert.Equal(a.Select(Describe), b.Select(Describe));
        Assert.NotEqual(a.Select(Describe), c.Select(Describe));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void EveryLabelPointsAtTheContainerOfTheAskedObject(int storyFacts)
    {
        TaskDefinition task = DemoTask.Definition;
        var labels = new int[task.OptionCount];
        foreach (TaskExample example in DemoTask.Generate(400, 3, storyFacts))
        {
            Assert.Equal(task.Fields.OrderBy(f => f), example.Fields.Keys.OrderBy(f => f));
            Dictionary<string, string> where = WhereIs(example.Fields["context"]);
            Assert.Equal(storyFacts, where.Count);
            Match question = Regex.Match(example.Fields["question"], @"^Where is the (\w+)\?$");
            Assert.True(question.Success);

            string[] options = task.OptionFields.Select(f => example.Fields[f]).ToArray();
            // Every container the story names is an option; only the asked object's is right.
            Assert.Subset(options.ToHashSet(), where.Values.Select(c => "the " + c).ToHashSet());
            Assert.InRange(example.Label, 0, task.OptionCount - 1);
            Assert.Equal("the " + where[question.Groups[1].Value], options[example.Label]);
            labels[example.Label]++;

            // Colours and container kinds of the four options are distinct: no option is half of another.
            Assert.Equal(4, options.Select(c => c.Split(' ')[1]).Distinct().Count());
            Assert.Equal(4, options.Select(c => c.Split(' ')[2]).Distinct().Count());
        }
        // Every position holds the answer sometimes (400 draws: each near 100).
        Assert.All(labels, count => Assert.InRange(count, 60, 140));
    }

    [Fact]
    public void SplitsAreDifferentDrawsAndDeterministic()
    {
        DemoSplits s = DemoTask.Split(30, 10, 20, 5);
        Assert.Equal((30, 10, 20), (s.Train.Count, s.Validation.Count, s.Test.Count));
        var train = s.Train.Select(Describe).ToHashSet();
        Assert.DoesNotContain(s.Test.Select(Describe), train.Contains);
        Assert.DoesNotContain(s.Validation.Select(Describe), train.Contains);
        Assert.Equal(s.Test.Select(Describe), DemoTask.Split(30, 10, 20, 5).Test.Select(Describe));
    }

    [Fact]
    public void CorpusIsDeterministicAndMixesTheTwoGenres()
    {
        var documents = DemoCorpus.Documents(400, 9, listShare: 0.25);
        Assert.Equal(documents, DemoCorpus.Documents(400, 9, listShare: 0.25));
        int lists = documents.Count(d => !d.Body.Contains("Where", StringComparison.Ordinal));
        Assert.InRange(lists, 70, 130);
        Assert.All(DemoCorpus.Documents(50, 9, listShare: 0), d => Assert.StartsWith(" Where", d.Body));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void StoriesAreAnsweredInPlainWords(int storyFacts)
    {
        foreach (DemoDocument document in DemoCorpus.Documents(200, 9, listShare: 0, storyFacts))
        {
            Dictionary<string, string> where = WhereIs(document.Lead);
            var answers = Regex.Matches(document.Body, @"Where is the (\w+)\? The (\w+) is in the (\w+ \w+)\.");
            Assert.Equal(storyFacts, answers.Count);
            Assert.Equal(document.Body.Length, answers.Sum(a => a.Length + 1)); // nothing but answers, space-separated
            foreach (Match answer in answers)
            {
                Assert.Equal(answer.Groups[1].Value, answer.Groups[2].Value);
                Assert.Equal(where[answer.Groups[1].Value], answer.Groups[3].Value);
            }
            Assert.DoesNotMatch(@"\b[ABCD]\b|Answer|[Oo]ption", document.Text);
        }
    }

    [Fact]
    public void ListsAreLookedUpByTheirLabelsWithoutQuestionsOrCues()
    {
        foreach (DemoDocument document in DemoCorpus.Documents(200, 9, listShare: 1))
        {
            var items = Regex.Matches(document.Lead, @"\(?([ABCD])[\.\):]? the (\w+ \w+)");
            Assert.Equal(["A", "B", "C", "D"], items.Select(m => m.Groups[1].Value));
            var label = items.ToDictionary(m => m.Groups[2].Value, m => m.Groups[1].Value);
            var lookups = Regex.Matches(document.Body, @" The (\w+ \w+) is ([ABCD])\.");
            Assert.Equal(2, lookups.Count);
            Assert.Equal(document.Body.Length, lookups.Sum(l => l.Length));
            Assert.All(lookups, l => Assert.Equal(label[l.Groups[1].Value], l.Groups[2].Value));
            Assert.DoesNotMatch(@"Where|\?|Answer|[Oo]ption", document.Text);
        }
    }

    private static string Describe(TaskExample e) =>
        string.Join("|", DemoTask.Definition.Fields.Select(f => e.Fields[f])) + "|" + e.Label;
}
