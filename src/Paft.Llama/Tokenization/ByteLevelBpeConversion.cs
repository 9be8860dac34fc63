using System.Text;
using System.Text.Json;

namespace Paft.Llama.Tokenization;

/// <summary>
/// Turns a Hugging Face byte-level BPE <c>tokenizer.json</c> (GPT-2 style: every byte shown as a printable
/// character, vocab + merges) into tiktoken ranks. This is exact when a token's id is its merge priority,
/// i.e. when the merges, read in order, produce tokens of non-decreasing id — true of Llama 3's file,
/// which was itself made from tiktoken ranks. Anything else is refused rather than tokenized differently.
/// </summary>
internal static class ByteLevelBpeConversion
{
    /// <summary>Reads the BPE model of <paramref name="path"/> and writes it as tiktoken text.</summary>
    internal static TiktokenRanks ToTiktokenRanks(string path)
    {
        using JsonDocument doc = TokenizerFolderConfig.ParseJson(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object
            || !doc.RootElement.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"'{path}' has no 'model' object; it is not a Hugging Face tokenizer.json.");
        string? type = model.TryGetProperty("type", out JsonElement t) ? t.GetString() : null;
        if (type != "BPE")
            throw new NotSupportedException($"'{path}': model type '{type}' is not supported; a byte-level 'BPE' model is needed.");
        if (!model.TryGetProperty("vocab", out JsonElement vocab) || vocab.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"'{path}': model.vocab is missing or not an object.");

        CheckPreTokenizerIsLlama3(path, doc.RootElement);
        Dictionary<char, byte> toByte = UnicodeToByte();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (JsonProperty entry in vocab.EnumerateObject())
        {
            if (!entry.Value.TryGetInt32(out int id) || id < 0)
                throw new InvalidDataException($"'{path}': model.vocab[\"{entry.Name}\"] is not a token id.");
            byte[] bytes = new byte[entry.Name.Length];
            for (int i = 0; i < entry.Name.Length; i++)
            {
                if (!toByte.TryGetValue(entry.Name[i], out bytes[i]))
                    throw new NotSupportedException(
                        $"'{path}': model.vocab[\"{entry.Name}\"] has a character outside the byte-level alphabet; only byte-level BPE can be converted.");
            }
            ids[entry.Name] = id;
            text.Append(Convert.ToBase64String(bytes)).Append(' ').Append(id).Append('\n');
        }

        CheckMergesFollowIds(path, model, ids);
        byte[] data = Encoding.ASCII.GetBytes(text.ToString());
        return TiktokenRanks.Parse(data, path + " (model.vocab)");
    }

    /// <summary>
    /// The ranks are used with Llama 3's pre-tokenizer regex, so the file must split text with that regex
    /// (and nothing else); a GPT-2 or other byte-level tokenizer would otherwise be silently mis-split.
    /// </summary>
    private static void CheckPreTokenizerIsLlama3(string path, JsonElement root)
    {
        var patterns = new List<string>();
        void Collect(JsonElement pre)
        {
            if (pre.ValueKind != JsonValueKind.Object)
                return;
            if (pre.TryGetProperty("pretokenizers", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
                foreach (JsonElement item in list.EnumerateArray())
                    Collect(item);
            string? type = pre.TryGetProperty("type", out JsonElement t) ? t.GetString() : null;
            if (type == "Split" && pre.TryGetProperty("pattern", out JsonElement pattern)
                && pattern.ValueKind == JsonValueKind.Object && pattern.TryGetProperty("Regex", out JsonElement regex))
                patterns.Add(regex.GetString() ?? "");
            if (type == "ByteLevel" && pre.TryGetProperty("use_regex", out JsonElement useRegex) && useRegex.ValueKind == JsonValueKind.True)
                patterns.Add("(GPT-2 byte-level regex)");
        }
        if (root.TryGetProperty("pre_tokenizer", out JsonElement preTokenizer))
            Collect(preTokenizer);
        if (patterns.Count != 1 || patterns[0] != TiktokenBpeTokenizer.PreTokenizerPattern)
            throw new NotSupportedException(
                $"'{path}': the pre-tokenizer is not Llama 3's split regex (found: {(patterns.Count == 0 ? "none" : string.Join(" + ", patterns))}); only Llama 3 style tokenizer.json files are supported.");
    }

    private static void CheckMergesFollowIds(string path, JsonElement model, Dictionary<string, int> ids)
    {
        if (!model.TryGetProperty("merges", out JsonElement merges) || merges.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"'{path}': model.merges is missing or not an array.");
        int previous = -1, row = 0;
        foreach (JsonElement merge in merges.EnumerateArray())
        {
            // Merges are "left right" strings (older files) or ["left", "right"] pairs (newer ones).
            string? left, right;
            if (merge.ValueKind == JsonValueKind.String)
            {
                string s = merge.GetString()!;
                int space = s.IndexOf(' ', 1);
                (left, right) = space < 0 ? (null, null) : (s[..space], s[(space + 1)..]);
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
            {
                (left, right) = (merge[0].GetString(), merge[1].GetString());
            }
            else
            {
                (left, right) = (null, null);
            }
            if (left is null || right is null)
                throw new InvalidDataException($"'{path}': model.merges[{row}] is not a pair of tokens.");
            if (!ids.TryGetValue(left + right, out int id))
                throw new InvalidDataException($"'{path}': model.merges[{row}] makes '{left + right}', which is not in model.vocab.");
            if (id < previous)
                throw new NotSupportedException(
                    $"'{path}': model.merges[{row}] makes id {id} after id {previous}; merge order differs from id order, so these merges cannot be expressed as tiktoken ranks.");
            previous = id;
            row++;
        }
    }

    /// <summary>The inverse of GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest for U+0100 onwards.</summary>
    private static Dictionary<char, byte> UnicodeToByte()
    {
        var map = new Dictionary<char, byte>(256);
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[printable ? (char)b : (char)next++] = (byte)b;
        }
        return map;
    }
}
