using Paft.Llama.Tokenization;
using Paft.MLNet.Prompts;

namespace Paft.MLNet.Demo;

/// <summary>
/// Builds the demo's <see cref="WordLevelTokenizer"/>: every word of the demo world and every word of the
/// offline template grammar for the demo task, each both with and without a leading space (a word may
/// start a line or follow a label), so that stories, questions and every template the grammar can make
/// encode without byte fallback. Anything else still encodes, as bytes.
/// </summary>
internal static class DemoVocabulary
{
    public static WordLevelTokenizer CreateTokenizer()
    {
        var texts = new List<string>(DemoCorpus.VocabularyTexts());
        var generator = new OfflineTemplateGenerator(DemoTask.Definition);
        var blank = DemoTask.Definition.Fields.ToDictionary(f => f, _ => "", StringComparer.Ordinal);
        // The grammar's phrases are spread over its template numbers; composing them all is cheap and
        // is the only way to be sure every phrase is covered.
        for (int i = 0; i < generator.Capacity; i++)
            texts.Add(PromptTemplate.Parse(generator.Compose(i)).Render(blank));

        var pieces = new HashSet<string>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            foreach (string piece in WordLevelPreTokenizer.Split(text))
            {
                if (string.IsNullOrWhiteSpace(piece))
                    continue; // whitespace runs stay single characters; "\n" and " " are added below
                pieces.Add(piece);
                pieces.Add(piece[0] == ' ' ? piece[1..] : " " + piece);
            }
        }
        pieces.Add("\n");
        pieces.Add(" ");
        return WordLevelTokenizer.FromTexts(pieces);
    }
}
