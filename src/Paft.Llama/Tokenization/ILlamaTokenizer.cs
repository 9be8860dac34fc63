namespace Paft.Llama.Tokenization;

/// <summary>
/// Text to token ids and back, exactly as the model's reference tokenizer does it.
/// </summary>
public interface ILlamaTokenizer
{
    /// <summary>Number of ids, special tokens included.</summary>
    int VocabSize { get; }

    /// <summary>The beginning-of-sequence id.</summary>
    int BosId { get; }

    /// <summary>Ids that end generation (a model may have several, e.g. Llama 3's eos and eot).</summary>
    IReadOnlyList<int> EosIds { get; }

    /// <summary>
    /// Encodes <paramref name="text"/>. With <paramref name="addBos"/> the BOS id is prepended. With
    /// <paramref name="parseSpecial"/> special-token text such as <c>&lt;|eot_id|&gt;</c> becomes its id;
    /// otherwise it is encoded as ordinary text.
    /// </summary>
    IReadOnlyList<int> Encode(string text, bool addBos = false, bool parseSpecial = false);

    /// <summary>Decodes ids to text; with <paramref name="skipSpecial"/> special tokens are left out.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecial = false);
}
