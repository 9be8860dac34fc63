namespace Paft.Llama.Tokenization;

/// <summary>
/// The special tokens of a Llama 3 tiktoken vocabulary: 256 ids right after the base vocabulary
/// (128000..128255 for Meta's 128000 ranks).
/// </summary>
internal static class Llama3SpecialTokens
{
    internal const string BeginOfText = "<|begin_of_text|>";
    internal const string EndOfText = "<|end_of_text|>";
    internal const string StartHeader = "<|start_header_id|>";
    internal const string EndHeader = "<|end_header_id|>";
    internal const string EndOfTurn = "<|eot_id|>";

    /// <summary>How many special ids Meta's tokenizer reserves.</summary>
    internal const int Count = 256;

    /// <summary>
    /// Meta's layout (llama3 <c>tokenizer.py</c>) for a folder without <c>tokenizer_config.json</c> or
    /// <c>tokenizer.json</c>: ids <paramref name="baseVocabSize"/> + i for the ten named and reserved tokens
    /// below, then <c>&lt;|reserved_special_token_5|&gt;</c> onwards up to 256 tokens in all.
    /// </summary>
    internal static Dictionary<string, int> StandardLayout(int baseVocabSize)
    {
        string[] named =
        [
            BeginOfText, EndOfText,
            "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
            "<|reserved_special_token_2|>", "<|reserved_special_token_3|>",
            StartHeader, EndHeader,
            "<|reserved_special_token_4|>", EndOfTurn,
        ];
        var tokens = new Dictionary<string, int>(Count, StringComparer.Ordinal);
        for (int i = 0; i < named.Length; i++)
            tokens.Add(named[i], baseVocabSize + i);
        for (int i = named.Length, reserved = 5; i < Count; i++, reserved++)
            tokens.Add($"<|reserved_special_token_{reserved}|>", baseVocabSize + i);
        return tokens;
    }
}
