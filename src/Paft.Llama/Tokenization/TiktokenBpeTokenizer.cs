using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Paft.Llama.Tokenization;

/// <summary>
/// Llama 3's tokenizer: tiktoken byte-level BPE (through Microsoft.ML.Tokenizers' <c>TiktokenTokenizer</c>
/// with Llama 3's pre-tokenizer regex) plus the special tokens above the base vocabulary. Special
/// tokens are split out here, before the library sees the text, so that <c>parseSpecial: false</c> can
/// encode their text as ordinary bytes, as Hugging Face and Meta do for untrusted text.
/// </summary>
internal sealed partial class TiktokenBpeTokenizer : ILlamaTokenizer
{
    /// <summary>Llama 3's pre-tokenizer (Meta's <c>pat_str</c>, the same as tokenizer.json's Split regex).</summary>
    internal const string PreTokenizerPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    [GeneratedRegex(PreTokenizerPattern, RegexOptions.CultureInvariant)]
    private static partial Regex PreTokenizerRegex();

    private readonly TiktokenTokenizer _bpe;
    private readonly TiktokenRanks _ranks;
    private readonly Dictionary<string, int> _specialIds;
    private readonly Dictionary<int, string> _specialTexts;
    private readonly string[] _specialsLongestFirst;
    private readonly System.Buffers.SearchValues<char> _specialFirstChars;

    /// <summary>
    /// Builds the tokenizer. <paramref name="specialTokens"/> must not reuse an id of the base
    /// vocabulary; <paramref name="source"/> names where they came from in errors.
    /// </summary>
    internal TiktokenBpeTokenizer(TiktokenRanks ranks, IReadOnlyDictionary<string, int> specialTokens, string source,
        int bosId, IReadOnlyList<int> eosIds)
    {
        _ranks = ranks;
        _specialIds = new Dictionary<string, int>(specialTokens, StringComparer.Ordinal);
        _specialTexts = [];
        foreach ((string text, int id) in specialTokens)
        {
            if (id < 0 || ranks.Ranks.Contains(id))
                throw new InvalidDataException($"'{source}': special token '{text}' has id {id}, which is a normal vocabulary id.");
            if (!_specialTexts.TryAdd(id, text))
                throw new InvalidDataException($"'{source}': special tokens '{_specialTexts[id]}' and '{text}' share id {id}.");
        }
        _specialsLongestFirst = [.. _specialIds.Keys.Where(k => k.Length > 0).OrderByDescending(k => k.Length)];
        _specialFirstChars = System.Buffers.SearchValues.Create([.. _specialsLongestFirst.Select(k => k[0]).Distinct()]);

        using var stream = new MemoryStream(ranks.Text, writable: false);
        _bpe = TiktokenTokenizer.Create(stream, new RegexPreTokenizer(PreTokenizerRegex(), null), normalizer: null);

        VocabSize = Math.Max(ranks.End, _specialTexts.Count == 0 ? 0 : _specialTexts.Keys.Max() + 1);
        BosId = bosId;
        EosIds = eosIds;
        foreach (int id in eosIds.Append(bosId))
            if (!_specialTexts.ContainsKey(id) && !ranks.Ranks.Contains(id))
                throw new InvalidDataException($"'{source}': BOS/EOS id {id} is neither a special token nor in the vocabulary.");
    }

    /// <inheritdoc/>
    public int VocabSize { get; }

    /// <inheritdoc/>
    public int BosId { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> EosIds { get; }

    /// <summary>The special tokens by text.</summary>
    internal IReadOnlyDictionary<string, int> SpecialTokens => _specialIds;

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text, bool addBos = false, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (addBos)
            ids.Add(BosId);
        if (!parseSpecial)
        {
            EncodeOrdinary(text, ids);
            return ids;
        }

        int segmentStart = 0;
        int i = text.AsSpan().IndexOfAny(_specialFirstChars);
        while (i >= 0)
        {
            string? special = null;
            foreach (string candidate in _specialsLongestFirst)
            {
                if (text.AsSpan(i).StartsWith(candidate, StringComparison.Ordinal))
                {
                    special = candidate;
                    break;
                }
            }
            if (special is not null)
            {
                EncodeOrdinary(text[segmentStart..i], ids);
                ids.Add(_specialIds[special]);
                segmentStart = i + special.Length;
            }
            int from = special is null ? i + 1 : segmentStart;
            int next = from < text.Length ? text.AsSpan(from).IndexOfAny(_specialFirstChars) : -1;
            i = next < 0 ? -1 : from + next;
        }
        EncodeOrdinary(text[segmentStart..], ids);
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        foreach (int id in ids)
        {
            if (_specialTexts.TryGetValue(id, out string? special))
            {
                FlushOrdinary(run, text);
                if (!skipSpecial)
                    text.Append(special);
            }
            else if (_ranks.Ranks.Contains(id))
            {
                run.Add(id);
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is neither in the vocabulary nor a special token.");
            }
        }
        FlushOrdinary(run, text);
        return text.ToString();
    }

    private void EncodeOrdinary(string text, List<int> ids)
    {
        if (text.Length > 0)
            ids.AddRange(_bpe.EncodeToIds(text));
    }

    // Ordinary ids are decoded together so a character whose UTF-8 bytes span several tokens comes out whole.
    private void FlushOrdinary(List<int> run, System.Text.StringBuilder text)
    {
        if (run.Count == 0)
            return;
        text.Append(_bpe.Decode(run));
        run.Clear();
    }
}
