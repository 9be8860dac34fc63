using Paft.Llama.Tokenization;

namespace Paft.Benchmarks;

/// <summary>
/// A stand-in tokenizer for the evaluation benchmark: one id per whitespace-separated word, from a
/// stable hash into the model's vocabulary (ids 3 and up; 1 is BOS, 2 EOS). Only the token counts
/// matter for timing, and neither benchmark model ships a tokenizer our code reads. Splitting on
/// whitespace keeps a prompt's ids a prefix of the prompt-plus-answer ids, as a real tokenizer mostly does.
/// </summary>
internal sealed class WordTokenizer(int vocabSize) : ILlamaTokenizer
{
    public int VocabSize { get; } = vocabSize;

    public int BosId => 1;

    public IReadOnlyList<int> EosIds { get; } = [2];

    public IReadOnlyList<int> Encode(string text, bool addBos = false, bool parseSpecial = false)
    {
        var ids = new List<int>();
        if (addBos) ids.Add(BosId);
        foreach (string word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            ids.Add(3 + (int)(StableHash(word) % (uint)(VocabSize - 3)));
        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecial = false) => string.Join(' ', ids);

    // FNV-1a: string.GetHashCode is randomised per process.
    private static uint StableHash(string word)
    {
        uint hash = 2166136261;
        foreach (char ch in word) hash = (hash ^ ch) * 16777619;
        return hash;
    }
}
