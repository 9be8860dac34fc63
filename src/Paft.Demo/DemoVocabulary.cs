using Paft.Llama.Tokenization;
using Paft.MLNet.Prompts;

namespace Paft.Demo;

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
        // The grammar's phrases are spread over its template numbers; generating them all is cheap and
        // is the only way to be sure every phrase is covered.
        foreach (PromptTemplate template in generator.Generate(generator.Capacity, seed: 0))
            texts.Add(template.Render(blank));

        // A first tokenizer cuts the texts into their pieces (its words); each piece is then added in both
        // forms, with and without the space before it. Whitespace pieces are dropped here: "\n" and " " are added below.
        IReadOnlyList<string> pieces = WordLevelTokenizer.FromTexts(texts).Words;
        var words = new List<string>(2 * pieces.Count + 2) { "\n", " " };
        foreach (string piece in pieces.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            words.Add(piece);
            words.Add(piece[0] == ' ' ? piece[1..] : " " + piece);
        }
        return WordLevelTokenizer.FromTexts(words);
    }
}
