using Paft.MLNet.Perturbation;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Perturbation;

public class TextPerturberTests
{
    private const string Passage =
        "A man is standing on a ladder, painting the wall of a house. He dips the brush, then he steps down, " +
        "moves the ladder to the left and climbs up again. Meanwhile, a dog watches him from the garden; it barks twice. " +
        "Later, the man cleans the brushes in a bucket of water and puts the lid back on the can.";

    private static string Text => string.Concat(Enumerable.Repeat(Passage + " ", 12));

    [Fact]
    public void SameSeedSameTextOtherSeedOtherText()
    {
        var perturber = new TextPerturber(new TextPerturbationOptions { Rate = 0.1 });
        Assert.Equal(perturber.Perturb(Passage, 4), perturber.Perturb(Passage, 4));
        Assert.NotEqual(perturber.Perturb(Passage, 4), perturber.Perturb(Passage, 5));
        Assert.NotEqual(Passage, perturber.Perturb(Passage, 4));
    }

    [Fact]
    public void RateZeroChangesNothing()
    {
        Assert.Equal(Passage, new TextPerturber(new TextPerturbationOptions { Rate = 0 }).Perturb(Passage, 1));
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.1)]
    [InlineData(0.25)]
    public void EditDistanceFollowsTheRate(double rate)
    {
        string text = Text;
        string perturbed = new TextPerturber(new TextPerturbationOptions { Rate = rate }).Perturb(text, 7);
        // Each edit costs 1 (deletion, insertion, substitution) or 2 (adjacent swap) in Levenshtein distance,
        // and a swap consumes the next character too; so the distance per character lies near the rate.
        double perCharacter = (double)Levenshtein(text, perturbed) / text.Length;
        Assert.InRange(perCharacter, 0.6 * rate, 1.6 * rate);
    }

    [Fact]
    public void OnlyEnabledKindsApply()
    {
        string text = Text;
        string caseOnly = new TextPerturber(new TextPerturbationOptions { Rate = 0.3, Kinds = TextPerturbationKinds.CaseFlip }).Perturb(text, 2);
        Assert.Equal(text.Length, caseOnly.Length);
        Assert.Equal(text.ToLowerInvariant(), caseOnly.ToLowerInvariant());
        Assert.NotEqual(text, caseOnly);

        string whitespaceOnly = new TextPerturber(new TextPerturbationOptions { Rate = 0.5, Kinds = TextPerturbationKinds.Whitespace }).Perturb(text, 2);
        Assert.Equal(string.Concat(text.Where(c => c != ' ')), string.Concat(whitespaceOnly.Where(c => c != ' ')));
        Assert.NotEqual(text, whitespaceOnly);
        Assert.Contains("  ", whitespaceOnly);

        string punctuationOnly = new TextPerturber(new TextPerturbationOptions { Rate = 0.5, Kinds = TextPerturbationKinds.Punctuation }).Perturb(text, 2);
        Assert.Equal(string.Concat(text.Where(char.IsLetterOrDigit)), string.Concat(punctuationOnly.Where(char.IsLetterOrDigit)));
        Assert.NotEqual(text, punctuationOnly);
    }

    [Fact]
    public void RowsKeepLabelsAndFieldNames()
    {
        var rows = new[]
        {
            new TaskExample(new Dictionary<string, string> { ["goal"] = Passage, ["sol1"] = "Use a hammer.", ["sol2"] = "Use a spoon." }, 1, "f:1"),
            new TaskExample(new Dictionary<string, string> { ["goal"] = Passage, ["sol1"] = "Open it.", ["sol2"] = "Close it." }, 0, "f:2"),
        };
        var perturber = new TextPerturber(new TextPerturbationOptions { Rate = 0.2 });
        IReadOnlyList<TaskExample> first = perturber.Perturb(rows, 9);
        IReadOnlyList<TaskExample> second = perturber.Perturb(rows, 9);

        Assert.Equal([1, 0], first.Select(r => r.Label));
        Assert.Equal(["f:1", "f:2"], first.Select(r => r.Source));
        Assert.All(first, r => Assert.Equal(["goal", "sol1", "sol2"], r.Fields.Keys.Order()));
        Assert.NotEqual(rows[0].Fields["goal"], first[0].Fields["goal"]);
        // Two rows with the same text get different noise: one sequence runs through all rows.
        Assert.NotEqual(first[0].Fields["goal"], first[1].Fields["goal"]);
        for (int r = 0; r < rows.Length; r++)
            Assert.Equal(first[r].Fields, second[r].Fields);
    }

    [Fact]
    public void RateOutOfRangeIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TextPerturber(new TextPerturbationOptions { Rate = 1.5 }));
        Assert.Equal("Rate", error.ParamName);
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
