using Paft.Llama.Tokenization;
using Paft.Demo;
using Paft.MLNet.Prompts;

namespace Paft.Demo.Tests;

public class DemoVocabularyTests
{
    private static readonly WordLevelTokenizer Tokenizer = DemoVocabulary.CreateTokenizer();

    private static void AssertNoByteFallback(string text)
    {
        IReadOnlyList<int> ids = Tokenizer.Encode(text);
        int bytes = ids.Count(id => id < WordLevelTokenizer.FirstWordId);
        Assert.True(bytes == 0, $"{bytes} byte tokens in: {text}");
        Assert.Equal(text, Tokenizer.Decode(ids));
    }

    [Fact]
    public void CorpusEncodesWordByWord()
    {
        foreach (DemoDocument document in DemoCorpus.Documents(100, 1, listShare: 0.5))
            AssertNoByteFallback(document.Text);
    }

    [Fact]
    public void ExamplesUnderGrammarTemplatesEncodeWordByWord()
    {
        var templates = new OfflineTemplateGenerator(DemoTask.Definition).Generate(300, 4);
        var examples = DemoTask.Generate(300, 4);
        for (int i = 0; i < templates.Count; i++)
            AssertNoByteFallback(templates[i].Render(examples[i].Fields) + " " + DemoTask.Definition.AnswerLabels[examples[i].Label]);
    }

    [Fact]
    public void AnswerLettersAfterASpaceAreSingleTokens()
    {
        foreach (string label in DemoTask.Definition.AnswerLabels)
            Assert.Single(Tokenizer.Encode(" " + label));
    }

    [Fact]
    public void VocabularyStaysSmall()
    {
        // A few hundred words keep the embedding and output layer of the tiny model cheap.
        Assert.InRange(Tokenizer.VocabSize - WordLevelTokenizer.FirstWordId, 100, 1000);
    }
}
