using System.Text.Json;

namespace Paft.Llama.Tokenization;

/// <summary>
/// What a Hugging Face model folder says about its tokenizer's special tokens: the added tokens
/// (<c>tokenizer_config.json</c> <c>added_tokens_decoder</c>, else <c>tokenizer.json</c> <c>added_tokens</c>)
/// and the BOS/EOS tokens (<c>tokenizer_config.json</c> by text; <c>config.json</c> and
/// <c>generation_config.json</c> by id, where eos may be a list).
/// </summary>
internal sealed class TokenizerFolderConfig
{
    /// <summary>Added tokens by id, and the file they came from (null when none).</summary>
    internal Dictionary<int, string> AddedTokens { get; } = [];
    internal string? AddedTokensSource { get; private set; }
    internal string? BosToken { get; private set; }
    internal List<string> EosTokens { get; } = [];
    internal int? BosTokenId { get; private set; }
    internal List<int> EosTokenIds { get; } = [];

    /// <summary>Reads whichever of the config files exist in <paramref name="folder"/>.</summary>
    internal static TokenizerFolderConfig Read(string folder)
    {
        var config = new TokenizerFolderConfig();
        string tokenizerConfig = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(tokenizerConfig))
            config.ReadTokenizerConfig(tokenizerConfig);
        string tokenizerJson = Path.Combine(folder, "tokenizer.json");
        if (config.AddedTokensSource is null && File.Exists(tokenizerJson))
            config.ReadAddedTokensFromTokenizerJson(tokenizerJson);
        foreach (string name in new[] { "config.json", "generation_config.json" })
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path))
                config.ReadModelConfig(path);
        }
        return config;
    }

    internal static JsonDocument ParseJson(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    private void ReadTokenizerConfig(string path)
    {
        using JsonDocument doc = ParseJson(path);
        JsonElement root = RequireObject(doc.RootElement, path, "the root");
        if (root.TryGetProperty("added_tokens_decoder", out JsonElement decoder) && decoder.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty entry in decoder.EnumerateObject())
            {
                if (!int.TryParse(entry.Name, out int id) || id < 0)
                    throw new InvalidDataException($"'{path}': added_tokens_decoder key '{entry.Name}' is not a token id.");
                AddedTokens[id] = TokenText(entry.Value, path, $"added_tokens_decoder[\"{entry.Name}\"]")
                    ?? throw new InvalidDataException($"'{path}': added_tokens_decoder[\"{entry.Name}\"] has no 'content'.");
            }
            AddedTokensSource = path;
        }
        if (root.TryGetProperty("bos_token", out JsonElement bos))
            BosToken = TokenText(bos, path, "bos_token");
        if (root.TryGetProperty("eos_token", out JsonElement eos) && TokenText(eos, path, "eos_token") is string eosText)
            EosTokens.Add(eosText);
    }

    private void ReadAddedTokensFromTokenizerJson(string path)
    {
        using JsonDocument doc = ParseJson(path);
        JsonElement root = RequireObject(doc.RootElement, path, "the root");
        if (!root.TryGetProperty("added_tokens", out JsonElement added) || added.ValueKind != JsonValueKind.Array)
            return;
        int row = 0;
        foreach (JsonElement token in added.EnumerateArray())
        {
            string where = $"added_tokens[{row++}]";
            RequireObject(token, path, where);
            if (!token.TryGetProperty("id", out JsonElement id) || !id.TryGetInt32(out int value) || value < 0)
                throw new InvalidDataException($"'{path}': {where} has no integer 'id'.");
            AddedTokens[value] = TokenText(token, path, where)
                ?? throw new InvalidDataException($"'{path}': {where} has no 'content'.");
        }
        AddedTokensSource = path;
    }

    private void ReadModelConfig(string path)
    {
        using JsonDocument doc = ParseJson(path);
        JsonElement root = RequireObject(doc.RootElement, path, "the root");
        if (root.TryGetProperty("bos_token_id", out JsonElement bos) && bos.ValueKind == JsonValueKind.Number)
            BosTokenId ??= ReadId(bos, path, "bos_token_id");
        if (root.TryGetProperty("eos_token_id", out JsonElement eos))
        {
            if (eos.ValueKind == JsonValueKind.Number)
                AddDistinct(EosTokenIds, ReadId(eos, path, "eos_token_id"));
            else if (eos.ValueKind == JsonValueKind.Array)
                foreach (JsonElement item in eos.EnumerateArray())
                    AddDistinct(EosTokenIds, ReadId(item, path, "eos_token_id"));
            else if (eos.ValueKind != JsonValueKind.Null)
                throw new InvalidDataException($"'{path}': eos_token_id must be an id or a list of ids.");
        }
    }

    private static int ReadId(JsonElement value, string path, string key) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int id) && id >= 0
            ? id
            : throw new InvalidDataException($"'{path}': {key} must be a non-negative integer, found {value.GetRawText()}.");

    /// <summary>A token given as a string or as an object with <c>content</c> (an AddedToken).</summary>
    private static string? TokenText(JsonElement value, string path, string key) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        JsonValueKind.Object => value.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : null,
        _ => throw new InvalidDataException($"'{path}': {key} must be a string or an object with 'content'."),
    };

    private static JsonElement RequireObject(JsonElement element, string path, string what) =>
        element.ValueKind == JsonValueKind.Object
            ? element
            : throw new InvalidDataException($"'{path}': {what} must be a JSON object.");

    private static void AddDistinct(List<int> list, int value)
    {
        if (!list.Contains(value))
            list.Add(value);
    }
}
