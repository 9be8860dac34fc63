using Paft.MLNet.Tasks;

namespace Paft.Demo;

/// <summary>
/// The embedded demo's multiple-choice task, "where is it?": a short story says who put which object in
/// which container, the question asks where one of those objects is, and the four options are four
/// containers in random order: those the story names, and others to make up four. Answering needs
/// nothing but the story, so a tiny model can learn it; more facts per story make it harder.
/// </summary>
public static class DemoTask
{
    /// <summary>The number of options, and the most facts a story can tell (every container it names is an option).</summary>
    public const int FactsPerStory = 4;

    /// <summary>The task: fields <c>context</c>, <c>question</c>, <c>A</c>..<c>D</c>; options <c>A</c>..<c>D</c>.</summary>
    public static TaskDefinition Definition { get; } =
        new("where-is", ["context", "question", "A", "B", "C", "D"], ["A", "B", "C", "D"]);

    /// <summary>
    /// Makes <paramref name="count"/> labelled examples; the same seed always gives the same examples.
    /// </summary>
    /// <param name="count">How many examples.</param>
    /// <param name="seed">Seed of the draw.</param>
    /// <param name="storyFacts">Facts each story tells, 1..4: the asked one and distractors.</param>
    public static IReadOnlyList<TaskExample> Generate(int count, int seed, int storyFacts = FactsPerStory)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        CheckStoryFacts(storyFacts);
        var random = new Random(seed);
        var examples = new TaskExample[count];
        for (int i = 0; i < count; i++)
            examples[i] = Example(random, storyFacts, $"where-is seed {seed} #{i}");
        return examples;
    }

    internal static void CheckStoryFacts(int storyFacts)
    {
        if (storyFacts is < 1 or > FactsPerStory)
            throw new ArgumentOutOfRangeException(nameof(storyFacts), storyFacts, $"A story tells 1..{FactsPerStory} facts.");
    }

    /// <summary>
    /// Training, validation and test examples drawn from three different seeds derived from
    /// <paramref name="seed"/>, so the splits are independent draws.
    /// </summary>
    public static DemoSplits Split(int trainCount, int validationCount, int testCount, int seed, int storyFacts = FactsPerStory) =>
        new(Generate(trainCount, SplitSeed(seed, 0), storyFacts), Generate(validationCount, SplitSeed(seed, 1), storyFacts),
            Generate(testCount, SplitSeed(seed, 2), storyFacts));

    /// <summary>The seed of split <paramref name="split"/> (0 train, 1 validation, 2 test; 3 the pretraining corpus).</summary>
    internal static int SplitSeed(int seed, int split) => unchecked(seed * 7919 + 104729 * (split + 1));

    private static TaskExample Example(Random random, int storyFacts, string source)
    {
        // Four facts with distinct objects and containers; the story tells some of them, the options
        // are all four containers, shuffled; the label is where the asked one landed.
        DemoScene scene = DemoScene.Draw(random, FactsPerStory);
        int[] told = DemoScene.Pick(random, FactsPerStory, storyFacts);
        DemoFact asked = scene.Facts[told[random.Next(storyFacts)]];
        int[] order = DemoScene.Pick(random, FactsPerStory, FactsPerStory);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["context"] = string.Join(" ", told.Select(f => scene.Facts[f].Sentence)),
            ["question"] = asked.Question,
        };
        int label = -1;
        for (int o = 0; o < FactsPerStory; o++)
        {
            DemoFact fact = scene.Facts[order[o]];
            fields[Definition.OptionFields[o]] = fact.Option;
            if (ReferenceEquals(fact, asked))
                label = o;
        }
        return new TaskExample(fields, label, source);
    }
}

/// <summary>The demo task's examples, split three ways.</summary>
/// <param name="Train">Examples to fine-tune on.</param>
/// <param name="Validation">Examples to choose settings on (e.g. TopAccuracy's template).</param>
/// <param name="Test">Examples to report on.</param>
public sealed record DemoSplits(IReadOnlyList<TaskExample> Train, IReadOnlyList<TaskExample> Validation, IReadOnlyList<TaskExample> Test);
