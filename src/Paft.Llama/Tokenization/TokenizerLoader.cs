namespace Paft.Llama.Tokenization;

/// <summary>Finds and loads the tokenizer of a LLaMA model folder.</summary>
public static class TokenizerLoader
{
    /// <summary>The file names looked for, in order, relative to the model folder.</summary>
    internal static readonly string[] StandardNames = [WordLevelTokenizer.FileName, "tokenizer.model", Path.Combine("original", "tokenizer.model"), "tokenizer.json"];

    /// <summary>
    /// Loads the tokenizer of the model in <paramref name="modelDir"/>: our word-level tokenizer
    /// (<see cref="WordLevelTokenizer.FileName"/>, looked for first), Llama 2's SentencePiece BPE
    /// (<c>tokenizer.model</c> as protobuf) or Llama 3's tiktoken BPE (<c>tokenizer.model</c> or
    /// <c>original/tokenizer.model</c> as base64 rank lines, or a byte-level BPE <c>tokenizer.json</c>).
    /// The kind is told from the content, not the name. Special tokens and BOS/EOS come from
    /// <c>tokenizer_config.json</c>, <c>tokenizer.json</c>, <c>config.json</c> and
    /// <c>generation_config.json</c> where present; for Llama 3, <c>&lt;|eot_id|&gt;</c> is always one of the
    /// EOS ids, as in Meta's reference generation.
    /// </summary>
    /// <param name="modelDir">The model folder (also where the config files are read from).</param>
    /// <param name="tokenizerFile">A tokenizer file to use instead of the standard names; relative paths are relative to <paramref name="modelDir"/>.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">No tokenizer file was found; the message lists the names tried.</exception>
    /// <exception cref="InvalidDataException">A tokenizer or config file is malformed; the message names the file.</exception>
    /// <exception cref="NotSupportedException">The file is well-formed but of a kind this library cannot tokenize exactly.</exception>
    public static ILlamaTokenizer Load(string modelDir, string? tokenizerFile = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDir);
        if (!Directory.Exists(modelDir))
            throw new DirectoryNotFoundException($"Model folder '{modelDir}' does not exist.");

        string path = FindTokenizerFile(modelDir, tokenizerFile);
        if (tokenizerFile is not null && Llama2cTokenizer.IsLlama2cFile(path))
            return Llama2cTokenizer.Load(path); // llama2.c's own format (tokenizer.bin, tok512.bin): only when named
        // Our own word-level format (the embedded demo's) names itself and needs no config files.
        if (path.EndsWith(WordLevelTokenizer.FileName, StringComparison.OrdinalIgnoreCase))
            return WordLevelTokenizer.Load(path);
        TokenizerFolderConfig config = TokenizerFolderConfig.Read(modelDir);

        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return CreateTiktoken(ByteLevelBpeConversion.ToTiktokenRanks(path), config, modelDir);

        byte[] data = File.ReadAllBytes(path);
        if (TiktokenRanks.LooksLikeTiktoken(data))
            return CreateTiktoken(TiktokenRanks.Parse(data, path), config, modelDir);
        // A SentencePiece ModelProto starts with field 1 (pieces), length-delimited: key byte 0x0A.
        if (data.Length > 0 && data[0] == 0x0A)
            return CreateSentencePiece(SentencePieceModel.Parse(data, path), path, config);
        throw new InvalidDataException(
            $"'{path}' is neither a SentencePiece model (protobuf) nor a tiktoken vocabulary (lines of 'base64-token rank').");
    }

    private static string FindTokenizerFile(string modelDir, string? tokenizerFile)
    {
        if (tokenizerFile is not null)
        {
            string explicitPath = Path.Combine(modelDir, tokenizerFile);
            return File.Exists(explicitPath)
                ? explicitPath
                : throw new FileNotFoundException($"Tokenizer file '{explicitPath}' does not exist.", explicitPath);
        }
        foreach (string name in StandardNames)
        {
            string candidate = Path.Combine(modelDir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException(
            $"No tokenizer found in '{modelDir}': tried {string.Join(", ", StandardNames)}.");
    }

    private static TiktokenBpeTokenizer CreateTiktoken(TiktokenRanks ranks, TokenizerFolderConfig config, string modelDir)
    {
        Dictionary<string, int> specials;
        string source;
        if (config.AddedTokens.Count > 0)
        {
            specials = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach ((int id, string text) in config.AddedTokens)
                if (!specials.TryAdd(text, id))
                    throw new InvalidDataException($"'{config.AddedTokensSource}': added token '{text}' appears twice (ids {specials[text]} and {id}).");
            source = config.AddedTokensSource!;
        }
        else
        {
            specials = Llama3SpecialTokens.StandardLayout(ranks.End);
            source = "Meta's standard Llama 3 special tokens";
        }

        string configSource = Path.Combine(modelDir, "tokenizer_config.json");
        int bosId = config.BosToken is string bosText
            ? LookUp(specials, bosText, configSource, "bos_token")
            : config.BosTokenId ?? LookUp(specials, Llama3SpecialTokens.BeginOfText, source, "BOS");

        var eosIds = new List<int>();
        foreach (string eosText in config.EosTokens)
            AddDistinct(eosIds, LookUp(specials, eosText, configSource, "eos_token"));
        foreach (int id in config.EosTokenIds)
            AddDistinct(eosIds, id);
        if (eosIds.Count == 0 && specials.TryGetValue(Llama3SpecialTokens.EndOfText, out int endOfText))
            eosIds.Add(endOfText);
        // Meta's generation stops on end-of-turn too; chat models end every answer with it.
        if (specials.TryGetValue(Llama3SpecialTokens.EndOfTurn, out int endOfTurn))
            AddDistinct(eosIds, endOfTurn);

        return new TiktokenBpeTokenizer(ranks, specials, source, bosId, eosIds);
    }

    private static SentencePieceBpeTokenizer CreateSentencePiece(SentencePieceModel model, string path, TokenizerFolderConfig config)
    {
        var pieceIds = new Dictionary<string, int>(model.Pieces.Count, StringComparer.Ordinal);
        for (int id = 0; id < model.Pieces.Count; id++)
            pieceIds.TryAdd(model.Pieces[id].Piece, id);

        foreach ((int id, string text) in config.AddedTokens)
        {
            if (id >= model.Pieces.Count)
                throw new NotSupportedException(
                    $"'{config.AddedTokensSource}' adds '{text}' as id {id}, beyond the {model.Pieces.Count} pieces of '{path}'; added tokens outside a SentencePiece vocabulary are not supported.");
            if (model.Pieces[id].Piece != text)
                throw new InvalidDataException(
                    $"'{config.AddedTokensSource}' says id {id} is '{text}' but '{path}' has '{model.Pieces[id].Piece}' there.");
        }

        int? bosId = config.BosToken is string bosText
            ? LookUp(pieceIds, bosText, path, "bos_token")
            : config.BosTokenId;
        var eosIds = new List<int>();
        foreach (string eosText in config.EosTokens)
            AddDistinct(eosIds, LookUp(pieceIds, eosText, path, "eos_token"));
        foreach (int id in config.EosTokenIds)
            AddDistinct(eosIds, id);
        return new SentencePieceBpeTokenizer(model, path, bosId, eosIds.Count > 0 ? eosIds : null);
    }

    private static int LookUp(Dictionary<string, int> tokens, string text, string source, string what) =>
        tokens.TryGetValue(text, out int id)
            ? id
            : throw new InvalidDataException($"{what} '{text}' (from '{source}') is not a token of the vocabulary.");

    private static void AddDistinct(List<int> list, int value)
    {
        if (!list.Contains(value))
            list.Add(value);
    }
}
