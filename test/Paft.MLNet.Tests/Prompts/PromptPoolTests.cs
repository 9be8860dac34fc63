using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Prompts;

public class PromptPoolTests
{
    private static PromptPool Pool(params (string Id, string Text)[] templates) =>
        PromptPool.FromTemplates(templates.Select(t => PromptTemplate.Parse(t.Text, t.Id)));

    private static string[] Ids(PromptPool pool) => pool.Select(e => e.Id).ToArray();

    [Fact]
    public void Constructor_RejectsRepeatedIds()
    {
        var error = Assert.Throws<ArgumentException>(() => Pool(("a", "{goal}"), ("a", "{sol1}")));
        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void RemoveExactDuplicates_IgnoresCaseAndWhitespace_KeepsFirst()
    {
        PromptPool pool = Pool(
            ("a", "Pick one: {goal}"),
            ("b", "pick   ONE:\n{goal}"),
            ("c", "Pick two: {goal}"),
            ("d", " Pick one: {goal} "));

        Assert.Equal(["a", "c"], Ids(pool.RemoveExactDuplicates()));
    }

    [Fact]
    public void RemoveExactDuplicates_ComparesDecodedText()
    {
        var pool = new PromptPool(
        [
            new PromptPoolEntry(PromptTemplate.Parse(@"Go:\n{goal}", "escaped", PromptTextEscaping.BackslashSequences)),
            new PromptPoolEntry(PromptTemplate.Parse("Go:\n{goal}", "plain")),
        ]);

        Assert.Equal(["escaped"], Ids(pool.RemoveExactDuplicates()));
    }

    [Fact]
    public void Shingles_JaccardMatchesHandCount()
    {
        // 3-shingles of "abcd": abc, bcd; of "abce": abc, bce -> 1 common of 3 distinct.
        double similarity = TextShingles.Jaccard(TextShingles.Shingles("abcd", 3), TextShingles.Shingles("ABCE", 3));
        Assert.Equal(1.0 / 3, similarity, 12);
        Assert.Equal(1.0, TextShingles.Jaccard(TextShingles.Shingles("a  b c", 3), TextShingles.Shingles("A b C", 3)));
    }

    private static PromptPool NearDuplicatePool() => Pool(
        ("a", "Choose the best ending for the story below.\n{goal}\nA. {sol1}\nB. {sol2}\nAnswer:"),
        ("b", "Which solution would a plumber recommend? {goal} (A) {sol1} (B) {sol2}"),
        ("c", "Choose the best ending for the story below!\n{goal}\nA. {sol1}\nB. {sol2}\nAnswer:"),
        ("d", "Choose the best ending for the stories below.\n{goal}\nA. {sol1}\nB. {sol2}\nAnswer:"),
        ("e", "Goal -> {goal}; options: 1) {sol1} 2) {sol2}. Reply with the number."));

    [Fact]
    public void RemoveNearDuplicates_KeepsEarliestOfEachGroup()
    {
        PromptPool pool = NearDuplicatePool();

        Assert.Equal(["a", "b", "e"], Ids(pool.RemoveNearDuplicates(0.8)));
        // At a threshold only identical shingle sets reach, nothing here is removed.
        Assert.Equal(["a", "b", "c", "d", "e"], Ids(pool.RemoveNearDuplicates(1.0)));
    }

    [Fact]
    public void NearDuplicateClusters_GroupsTheVariants()
    {
        IReadOnlyList<IReadOnlyList<string>> clusters = NearDuplicatePool().NearDuplicateClusters(0.8);

        IReadOnlyList<string> cluster = Assert.Single(clusters);
        Assert.Equal(["a", "c", "d"], cluster);
    }

    [Fact]
    public void Split_IsDisjointCompleteAndSeeded()
    {
        PromptPool pool = Pool(Enumerable.Range(0, 40)
            .Select(i => ($"t{i:D2}", $"Template number {i} with words {new string((char)('a' + i % 26), 1 + i)}: {{goal}}"))
            .ToArray());

        PromptPoolSplit first = pool.Split(0.25, seed: 7);
        PromptPoolSplit again = pool.Split(0.25, seed: 7);
        PromptPoolSplit other = pool.Split(0.25, seed: 8);

        Assert.Equal(10, first.Test.Count);
        Assert.Equal(30, first.Train.Count);
        Assert.Empty(Ids(first.Train).Intersect(Ids(first.Test)));
        Assert.Equal(Ids(pool).Order(), Ids(first.Train).Concat(Ids(first.Test)).Order());
        Assert.Equal(Ids(first.Test), Ids(again.Test));
        Assert.NotEqual(Ids(first.Test), Ids(other.Test));
        // Each side keeps pool order.
        Assert.Equal(Ids(first.Test).Order(StringComparer.Ordinal), Ids(first.Test));
    }

    [Fact]
    public void Split_KeepsNearDuplicatesOnOneSide()
    {
        PromptPool pool = NearDuplicatePool();
        for (int seed = 0; seed < 20; seed++)
        {
            PromptPoolSplit split = pool.Split(0.4, seed);
            string[] test = Ids(split.Test);
            int groupInTest = new[] { "a", "c", "d" }.Count(test.Contains);
            Assert.True(groupInTest is 0 or 3, $"seed {seed}: the near-duplicate group a,c,d straddles the split ({string.Join(",", test)}).");
            Assert.Equal(5, split.Train.Count + split.Test.Count);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Split_RejectsFractionOutsideOpenInterval(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NearDuplicatePool().Split(fraction, 1));
    }

    [Fact]
    public void Statistics_OnHandMadePool()
    {
        PromptPool pool = Pool(
            ("a", "{goal}\nA. {sol1}\nB. {sol2}\nAnswer:"),                       // 34 characters as displayed
            ("b", "{goal} {sol1} {sol2}"),                                           // 20
            ("c", "Think [describe the physics here] then {goal} {sol2} {sol1} Answer:"),
            ("d", "{{literal}} {goal} {goal} {sol1} {sol2}\nThe answer is"),
            ("e", "{GOAL}\nA. {sol1}\nB. {sol2}\nAnswer:"),
            ("f", "{goal} {sol1} {sol2} Answer:."));                              // 29

        PromptPoolStatistics stats = pool.ComputeStatistics(TaskDefinition.Piqa);

        int[] lengths = pool.Select(e => e.Template.DisplayText.Length).ToArray();
        Assert.Equal(6, stats.Count);
        Assert.Equal(20, stats.MinLength);
        Assert.Equal(lengths.Max(), stats.MaxLength);
        // Sorted lengths 20 (b), 29 (f), 34 (a), 34 (e), 51 (d), c: the median is (34 + 34) / 2.
        Assert.Equal(34, stats.MedianLength);
        Assert.Equal(lengths.Average(), stats.MeanLength, 9);
        Assert.Equal(KeyValuePair.Create("goal,sol1,sol2", 3), stats.PlaceholderOrders[0]);  // a, b, f
        Assert.Contains(KeyValuePair.Create("goal,goal,sol1,sol2", 1), stats.PlaceholderOrders);
        Assert.Equal(4.0 / 6, stats.AnswerCueFraction, 12);
        Assert.Equal(KeyValuePair.Create("Answer:", 3), stats.AnswerCueCounts[0]);

        // a and e differ only in the case of a placeholder name: exact duplicates by our normalisation.
        Assert.Equal(["a", "e"], Assert.Single(stats.ExactDuplicateGroups));

        ILookup<string, string> reasons = stats.Suspicious.ToLookup(s => s.Id, s => s.Reason);
        Assert.Contains(reasons["c"], r => r.Contains("[describe the physics here]"));
        Assert.Contains(reasons["c"], r => r.Contains("order sol2,sol1"));
        Assert.Contains(reasons["d"], r => r.Contains("literal brace"));
        Assert.Contains(reasons["d"], r => r.Contains("{goal} appears 2 times"));
        Assert.Contains(reasons["e"], r => r.Contains("unknown placeholder {GOAL}"));
        Assert.Contains(reasons["e"], r => r.Contains("missing placeholder {goal}"));
        Assert.Contains(reasons["f"], r => r.Contains("stray text after the answer cue \"Answer:\""));
        Assert.Empty(reasons["a"]);
        Assert.Empty(reasons["b"]);
    }

    [Fact]
    public void Statistics_WithoutTask_SkipsTaskChecks()
    {
        PromptPoolStatistics stats = Pool(("e", "{GOAL} {x}")).ComputeStatistics();

        Assert.Empty(stats.Suspicious);
        Assert.Equal(0, stats.AnswerCueFraction);
    }
}
