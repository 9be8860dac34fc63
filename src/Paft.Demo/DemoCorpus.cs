using System.Text;

namespace Paft.Demo;

/// <summary>
/// The pretraining corpus of the demo's base model, two plain genres of the demo world:
/// <list type="bullet">
/// <item>stories, each followed by every one of its questions answered in words
/// ("Where is the key? The key is in the red box.") — the skill the task asks for;</item>
/// <item>labelled lists of containers, followed by look-ups in words ("The blue bag is B.") — what
/// letters next to list items mean, which any real language model has read many times.</item>
/// </list>
/// Neither genre has a question with lettered options and an answer cue: the multiple-choice format,
/// and joining the two skills in it, is what fine-tuning has to teach. Without the list genre the letter
/// tokens never occur in pretraining, their embeddings stay at their random start, and LoRA fine-tuning
/// cannot make the model produce them (measured: the answer loss stays near that of a uniform guess).
/// </summary>
internal static class DemoCorpus
{
    private static readonly string[] Labels = ["A", "B", "C", "D"];
    private static readonly string[] LabelStyles = ["L.", "(L)", "L)", "L:"];

    /// <summary>
    /// <paramref name="count"/> documents, a share <paramref name="listShare"/> of them labelled lists;
    /// the same seed gives the same documents.
    /// </summary>
    /// <param name="count">How many documents.</param>
    /// <param name="seed">Seed of the draw.</param>
    /// <param name="listShare">Share of labelled lists among the documents.</param>
    /// <param name="storyFacts">Facts each story tells (as in the task).</param>
    public static IReadOnlyList<DemoDocument> Documents(int count, int seed, double listShare, int storyFacts = DemoTask.FactsPerStory)
    {
        DemoTask.CheckStoryFacts(storyFacts);
        var random = new Random(seed);
        var documents = new DemoDocument[count];
        for (int i = 0; i < count; i++)
        {
            documents[i] = random.NextDouble() < listShare
                ? ListDocument(DemoScene.Draw(random, DemoTask.FactsPerStory), random)
                : StoryDocument(DemoScene.Draw(random, storyFacts), random);
        }
        return documents;
    }

    /// <summary>The story, then its questions in random order, each answered.</summary>
    internal static DemoDocument StoryDocument(DemoScene scene, Random random)
    {
        var body = new StringBuilder();
        foreach (int f in DemoScene.Pick(random, scene.Facts.Count, scene.Facts.Count))
        {
            DemoFact fact = scene.Facts[f];
            body.Append(' ').Append(fact.Question).Append(' ').Append(fact.PlainAnswer);
        }
        return new DemoDocument(scene.Context(), body.ToString());
    }

    /// <summary>The story's containers as a labelled list (one style, lines or inline), then two of them looked up.</summary>
    internal static DemoDocument ListDocument(DemoScene scene, Random random)
    {
        string style = LabelStyles[random.Next(LabelStyles.Length)];
        bool inline = random.Next(2) == 0;
        var list = new StringBuilder();
        for (int i = 0; i < scene.Facts.Count; i++)
        {
            if (i > 0)
                list.Append(inline ? "; " : "\n");
            list.Append(style.Replace("L", Labels[i], StringComparison.Ordinal)).Append(' ').Append(scene.Facts[i].Option);
        }
        var body = new StringBuilder();
        foreach (int i in DemoScene.Pick(random, scene.Facts.Count, Math.Min(2, scene.Facts.Count)))
            body.Append(" The ").Append(scene.Facts[i].Container).Append(" is ").Append(Labels[i]).Append('.');
        return new DemoDocument(list.ToString(), body.ToString());
    }

    /// <summary>The story and question in the corpus's plain form, up to the word before the answer's colour.</summary>
    public static string PlainQuestion(string context, string question)
    {
        // "Where is the key?" -> "The key is in the"
        string obj = question["Where is the ".Length..^1];
        return $"{context} {question} The {obj} is in the";
    }

    /// <summary>Every word the world can produce, in the forms the corpus and the task use.</summary>
    public static IEnumerable<string> VocabularyTexts()
    {
        foreach (string name in DemoWorld.Names)
            yield return name;
        foreach (string verb in DemoWorld.Verbs)
            yield return " " + verb;
        foreach (string obj in DemoWorld.Objects)
            yield return $"Where is the {obj}? The {obj} is in the.";
        foreach (string color in DemoWorld.Colors)
            yield return " " + color;
        foreach (string container in DemoWorld.Containers)
            yield return " " + container;
    }
}
