using Paft.Tests.Common;

namespace Paft.Llama.Tests.Tokenization;

/// <summary>
/// Documents why Llama 2 has its own SentencePiece BPE: Microsoft.ML.Tokenizers' <c>LlamaTokenizer</c>
/// (2.0.1) does not equal SentencePiece on llama.cpp's vectors. If this test fails, the library has been
/// fixed and <c>SentencePieceBpeTokenizer</c> could be replaced by it.
/// </summary>
public class MLNetLlamaTokenizerDeviationTests
{
    [SharedFact]
    public void LibraryLlamaTokenizer_StillDiffersFromSentencePiece()
    {
        using FileStream model = File.OpenRead(SharedData.Path("fixtures", "tokenizers", "llama2-sentencepiece", "tokenizer.model"));
        var library = Microsoft.ML.Tokenizers.LlamaTokenizer.Create(model, addBeginOfSentence: false, addEndOfSentence: false);
        IReadOnlyList<string> inputs = TokenizerVectors.Inputs("llama2-spm");
        IReadOnlyList<int[]> expected = TokenizerVectors.Outputs("llama2-spm");

        var differing = Enumerable.Range(0, inputs.Count)
            .Where(i => !library.EncodeToIds(inputs[i]).SequenceEqual(expected[i]))
            .Select(i => inputs[i])
            .ToList();

        Assert.True(differing.Count > 0,
            "Microsoft.ML.Tokenizers' LlamaTokenizer now matches SentencePiece on all llama.cpp vectors: "
            + "the workaround (our own SentencePieceBpeTokenizer) can go.");
        // The known case: equal-score merges taken right to left instead of left to right.
        Assert.Contains("!!!!!!", differing.Select(s => s.Trim()));
        // Ours gets every one of them right.
        foreach (string text in differing)
            Assert.Equal(expected[inputs.ToList().IndexOf(text)], TokenizerVectors.Llama2.Value.Encode(text));
    }
}
