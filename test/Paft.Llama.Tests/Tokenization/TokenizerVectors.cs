using Paft.Llama.Tokenization;
using Paft.Tests.Common;

namespace Paft.Llama.Tests.Tokenization;

/// <summary>
/// llama.cpp's tokenizer test vectors (../shared/fixtures/tokenizers/vectors) and the reference tokenizers
/// they go with, loaded once per test run.
/// </summary>
internal static class TokenizerVectors
{
    private const string Separator = "\n__ggml_vocab_test__\n";

    internal static readonly Lazy<ILlamaTokenizer> Llama2 = new(() =>
        TokenizerLoader.Load(SharedData.Path("fixtures", "tokenizers", "llama2-sentencepiece")));

    internal static readonly Lazy<ILlamaTokenizer> Llama3 = new(() =>
        TokenizerLoader.Load(SharedData.Path("fixtures", "tokenizers", "llama3-tiktoken")));

    /// <summary>The strings of <c>{name}.inp</c>: split on the separator, empty tail dropped.</summary>
    internal static IReadOnlyList<string> Inputs(string name)
    {
        string text = File.ReadAllText(SharedData.Path("fixtures", "tokenizers", "vectors", name + ".inp"));
        var parts = text.Split(Separator).ToList();
        if (parts.Count > 0 && parts[^1].Length == 0)
            parts.RemoveAt(parts.Count - 1);
        return parts;
    }

    /// <summary>Line i of <c>{name}.out</c> as ids: string i's expected encoding without BOS.</summary>
    internal static IReadOnlyList<int[]> Outputs(string name)
    {
        string[] lines = File.ReadAllText(SharedData.Path("fixtures", "tokenizers", "vectors", name + ".out")).Split('\n');
        return lines
            .Take(Inputs(name).Count)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray())
            .ToList();
    }

    /// <summary>Theory rows (index, text) so a failing case names its string; one dummy row where ../shared is absent (the theory is skipped).</summary>
    internal static IEnumerable<object[]> Cases(string name) =>
        SharedData.Available
            ? Inputs(name).Select((text, i) => new object[] { i, text })
            : [[-1, ""]];

    public static IEnumerable<object[]> Llama2Cases() => Cases("llama2-spm");

    public static IEnumerable<object[]> Llama3Cases() => Cases("llama3-bpe");
}
