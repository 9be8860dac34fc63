using System.Text.Json;

namespace Paft.Llama.Modeling;

/// <summary>
/// The architecture of a LLaMA model, read from a Hugging Face <c>config.json</c>
/// (Llama 2, Llama 3, 3.1 and 3.2 layouts). Values that change the computation are never ignored:
/// an unknown <c>rope_scaling</c> type, activation or <c>model_type</c> is an error.
/// </summary>
public sealed class LlamaConfig
{
    /// <summary>Number of token ids.</summary>
    public int VocabSize { get; init; }

    /// <summary>Width of the residual stream.</summary>
    public int HiddenSize { get; init; }

    /// <summary>Width of the SwiGLU MLP's inner layer.</summary>
    public int IntermediateSize { get; init; }

    /// <summary>Number of decoder layers.</summary>
    public int NumHiddenLayers { get; init; }

    /// <summary>Number of query heads.</summary>
    public int NumAttentionHeads { get; init; }

    /// <summary>Number of key/value heads (fewer than query heads means grouped-query attention).</summary>
    public int NumKeyValueHeads { get; init; }

    /// <summary>Width of one attention head; <c>head_dim</c> when given, else hidden / heads.</summary>
    public int HeadDim { get; init; }

    /// <summary>RMSNorm epsilon.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>RoPE base.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>Llama 3.1 frequency scaling, or null for plain RoPE.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Whether <c>lm_head</c> shares the token embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Whether q/k/v/o projections have biases.</summary>
    public bool AttentionBias { get; init; }

    /// <summary>Whether gate/up/down projections have biases.</summary>
    public bool MlpBias { get; init; }

    /// <summary>The longest context the model was configured for.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>The beginning-of-sequence id, if the config names one.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>End-of-sequence ids (a number or a list in the file).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>The padding id, if the config names one.</summary>
    public int? PadTokenId { get; init; }

    /// <summary>The stored weights' dtype as the config names it (e.g. <c>bfloat16</c>), or null.</summary>
    public string? TorchDtype { get; init; }

    /// <summary>Reads and validates a <c>config.json</c>.</summary>
    /// <exception cref="InvalidDataException">A key is missing, malformed or unsupported; the message names the file and key.</exception>
    public static LlamaConfig FromFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"model config '{path}' does not exist", path);
        }
        return FromJson(json, path);
    }

    /// <summary>Parses and validates config JSON; <paramref name="source"/> names it in errors.</summary>
    public static LlamaConfig FromJson(string json, string source = "config.json")
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"model config '{source}' is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"model config '{source}' must be a JSON object, found {doc.RootElement.ValueKind}");
            var r = new ConfigReader(doc.RootElement, source);
            string? modelType = r.OptionalString("model_type");
            if (modelType != "llama")
                throw r.Error("model_type", modelType is null
                    ? "is missing; only 'llama' models are supported"
                    : $"is '{modelType}'; only 'llama' models are supported");
            string? act = r.OptionalString("hidden_act");
            if (act is not null && act != "silu")
                throw r.Error("hidden_act", $"is '{act}'; LLaMA uses 'silu' and no other activation is implemented");

            int hidden = r.RequiredInt("hidden_size");
            int heads = r.RequiredInt("num_attention_heads");
            int kvHeads = r.OptionalInt("num_key_value_heads") ?? heads;
            int? headDim = r.OptionalInt("head_dim");
            // Checked before the divisions below, which a zero would turn into a DivideByZeroException.
            if (heads <= 0)
                throw r.Error("num_attention_heads", $"must be positive, found {heads}");
            if (kvHeads <= 0)
                throw r.Error("num_key_value_heads", $"must be positive, found {kvHeads}");
            if (headDim is null && hidden % heads != 0)
                throw r.Error("hidden_size", $"{hidden} is not divisible by num_attention_heads {heads} and no head_dim is given");
            if (heads % kvHeads != 0)
                throw r.Error("num_key_value_heads", $"{kvHeads} does not divide num_attention_heads {heads}");

            var config = new LlamaConfig
            {
                VocabSize = r.RequiredInt("vocab_size"),
                HiddenSize = hidden,
                IntermediateSize = r.RequiredInt("intermediate_size"),
                NumHiddenLayers = r.RequiredInt("num_hidden_layers"),
                NumAttentionHeads = heads,
                NumKeyValueHeads = kvHeads,
                HeadDim = headDim ?? hidden / heads,
                RmsNormEps = r.OptionalDouble("rms_norm_eps") ?? 1e-6,
                RopeTheta = r.OptionalDouble("rope_theta") ?? 10000.0,
                RopeScaling = ReadRopeScaling(r),
                TieWordEmbeddings = r.OptionalBool("tie_word_embeddings") ?? false,
                AttentionBias = r.OptionalBool("attention_bias") ?? false,
                MlpBias = r.OptionalBool("mlp_bias") ?? false,
                MaxPositionEmbeddings = r.OptionalInt("max_position_embeddings") ?? 2048,
                BosTokenId = r.OptionalIds("bos_token_id") is { Count: > 0 } bos ? bos[0] : null,
                EosTokenIds = r.OptionalIds("eos_token_id") ?? [],
                PadTokenId = r.OptionalIds("pad_token_id") is { Count: > 0 } pad ? pad[0] : null,
                // transformers 4.56 renamed torch_dtype to dtype.
                TorchDtype = r.OptionalString("torch_dtype") ?? r.OptionalString("dtype"),
            };
            foreach (var (key, value) in new[]
                     {
                         ("vocab_size", config.VocabSize), ("hidden_size", config.HiddenSize),
                         ("intermediate_size", config.IntermediateSize), ("num_hidden_layers", config.NumHiddenLayers),
                         ("num_attention_heads", heads), ("num_key_value_heads", kvHeads), ("head_dim", config.HeadDim),
                     })
            {
                if (value <= 0)
                    throw r.Error(key, $"must be positive, found {value}");
            }
            // A negative epsilon turns every score into NaN; a zero or negative theta breaks the rotary frequencies.
            if (!(config.RmsNormEps > 0) || !double.IsFinite(config.RmsNormEps))
                throw r.Error("rms_norm_eps", $"must be a positive finite number, found {config.RmsNormEps}");
            if (!(config.RopeTheta > 0) || !double.IsFinite(config.RopeTheta))
                throw r.Error("rope_theta", $"must be a positive finite number, found {config.RopeTheta}");
            if (config.MaxPositionEmbeddings <= 0)
                throw r.Error("max_position_embeddings", $"must be positive, found {config.MaxPositionEmbeddings}");
            if (config.HeadDim % 2 != 0)
                throw r.Error("head_dim", $"must be even for rotary embeddings, found {config.HeadDim}");
            return config;
        }
    }

    private static RopeScaling? ReadRopeScaling(ConfigReader r)
    {
        if (!r.Root.TryGetProperty("rope_scaling", out var s) || s.ValueKind == JsonValueKind.Null)
            return null;
        if (s.ValueKind != JsonValueKind.Object)
            throw r.Error("rope_scaling", $"must be an object or null, found {s.ValueKind}");
        var sub = new ConfigReader(s, r.Source, "rope_scaling.");
        // Newer configs say rope_type, older ones type.
        string? type = sub.OptionalString("rope_type") ?? sub.OptionalString("type");
        switch (type)
        {
            case "default":
                // transformers' name for plain RoPE: no scaling at all.
                return null;
            case "llama3":
                return new RopeScaling(
                    sub.RequiredPositive("factor"),
                    sub.RequiredPositive("low_freq_factor"),
                    sub.RequiredPositive("high_freq_factor"),
                    sub.RequiredPositive("original_max_position_embeddings"));
            default:
                throw r.Error("rope_scaling", type is null
                    ? "has no 'rope_type' (or 'type')"
                    : $"has type '{type}', which is not supported (supported: 'llama3'); refusing to ignore it");
        }
    }

    /// <summary>Typed access to config keys with errors that name the file and key.</summary>
    private readonly struct ConfigReader(JsonElement root, string source, string prefix = "")
    {
        public JsonElement Root => root;

        public string Source => source;

        public InvalidDataException Error(string key, string message) =>
            new($"model config '{source}': key '{prefix}{key}' {message}");

        private JsonElement? Get(string key) =>
            root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        public int RequiredInt(string key) => OptionalInt(key) ?? throw Error(key, "is missing");

        public int? OptionalInt(string key)
        {
            if (Get(key) is not { } v) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
            throw Error(key, $"must be an integer, found {v.GetRawText()}");
        }

        public double RequiredDouble(string key) => OptionalDouble(key) ?? throw Error(key, "is missing");

        public double RequiredPositive(string key)
        {
            double value = RequiredDouble(key);
            return value > 0 && double.IsFinite(value) ? value : throw Error(key, $"must be a positive finite number, found {value}");
        }

        public double? OptionalDouble(string key)
        {
            if (Get(key) is not { } v) return null;
            if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
            throw Error(key, $"must be a number, found {v.GetRawText()}");
        }

        public bool? OptionalBool(string key)
        {
            if (Get(key) is not { } v) return null;
            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error(key, $"must be true or false, found {v.GetRawText()}"),
            };
        }

        public string? OptionalString(string key)
        {
            if (Get(key) is not { } v) return null;
            if (v.ValueKind == JsonValueKind.String) return v.GetString();
            throw Error(key, $"must be a string, found {v.GetRawText()}");
        }

        /// <summary>A token id given as a number or a list of numbers.</summary>
        public IReadOnlyList<int>? OptionalIds(string key)
        {
            if (Get(key) is not { } v) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int one)) return [one];
            if (v.ValueKind == JsonValueKind.Array)
            {
                var ids = new List<int>();
                foreach (var e in v.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int id))
                        throw Error(key, $"must be an id or a list of ids, found {v.GetRawText()}");
                    ids.Add(id);
                }
                return ids;
            }
            throw Error(key, $"must be an id or a list of ids, found {v.GetRawText()}");
        }
    }
}
