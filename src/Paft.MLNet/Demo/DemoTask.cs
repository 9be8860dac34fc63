using Paft.MLNet.Tasks;

namespace Paft.MLNet.Demo;

/// <summary>
/// The embedded demo's multiple-choice task, "where is it?": a short story says who put which object in
/// which container, the question asks where one object is, and the four options are the story's four
/// containers in random order. Answering needs nothing but the story, so a tiny model can learn it.
/// </summary>
public static class DemoTask
{
    /// <summary>Facts per story, which is also the number of options (every container of the story is one).</summary>
    public const int FactsPerStory = 4;

    /// <summary>The task: fields <c>context</c>, <c>question</c>, <c>A</c>..<c>D</c>; options <c>A</c>..<c>D</c>.</summary>
    public static TaskDefinition Definition { get; } =
        new("where-is", ["context", "question", "A", "B", "C", "D"], ["A", "B", "C", "D"]);

    /// <summary>
    /// Makes <paramref name="count"/> labelled examples; the same seed always gives the same examples.
    /// </summary>
    /// <param name="count">How many examples.</param>
    /// <param name="seed">Seed of the draw.</param>
    public static IReadOnlyList<TaskExample> Generate(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var examples = new TaskExample[count];
        for (int i = 0; i < count; i++)
            examples[i] = Example(random, $"where-is seed {seed} #{i}");
        return examples;
    }

    /// <summary>
    /// Training, validation and test examples drawn from three different seeds derived from
    /// <paramref name="seed"/>, so the splits are independent draws.
    /// </summary>
    public static DemoSplits Split(int trainCount, int validationCount, int testCount, int seed) =>
        new(Generate(trainCount, SplitSeed(seed, 0)), Generate(validationCount, SplitSeed(seed, 1)), Generate(testCount, SplitSeed(seed, 2)));

    /// <summary>The seed of split <paramref name="split"/> (0 train, 1 validation, 2 test; 3 the pretraining corpus).</summary>
    internal static int SplitSeed(int seed, int split) => unchecked(seed * 7919 + 104729 * (split + 1));

    private static TaskExample Example(Random random, string source)
    {
        DemoScene scene = DemoScene.Draw(random, FactsPerStory);
        DemoFact asked = scene.Facts[random.Next(FactsPerStory)];
        // The options are the story's containers, shuffled; the label is where the asked one landed.
        int[] order = DemoScene.Pick(random, FactsPerStory, FactsPerStory);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["context"] = scene.Context(),
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
