using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paft.Llama.Checkpoints;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// Writes a <see cref="LlamaForCausalLM"/> as a Hugging Face checkpoint folder (<c>config.json</c> and a
/// single <c>model.safetensors</c>) that <see cref="LlamaForCausalLM.FromPretrained"/>, and any LLaMA loader,
/// read back: for a model made or trained in .NET (e.g. a small model pretrained from scratch). LoRA adapter
/// weights are left out (merge them first to keep them, or save them with <c>PeftAdapter.Save</c>); the
/// tokenizer is not written (save it beside the files). Each file is written to a temporary name and renamed.
/// The one Hugging Face folder writer: <see cref="LlamaForCausalLM.SavePretrained"/> and <c>paft lora merge</c> use it.
/// </summary>
public static class LlamaCheckpointWriter
{
    /// <summary>The config file's name.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file's name.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>Writes <paramref name="model"/>'s config and own weights into <paramref name="folder"/>, creating it.</summary>
    /// <param name="model">The model; adapter weights on it are not written (merge them first to keep them).</param>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="dtype">The dtype of the written weights (each rounded once from the model's); null: the model's own.</param>
    /// <param name="configSource">A <c>config.json</c> to copy with only <c>torch_dtype</c> changed (every key kept, including
    /// those the writer does not model, e.g. <c>rope_scaling</c>): for a model loaded from that folder. Null: written from
    /// <see cref="LlamaForCausalLM.Config"/>.</param>
    /// <returns>The number of tensors written.</returns>
    /// <exception cref="InvalidDataException"><paramref name="configSource"/> is not a JSON object; the message names it.</exception>
    public static int Save(LlamaForCausalLM model, string folder, ScalarType? dtype = null, string? configSource = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ScalarType written = dtype ?? model.DType;
        Directory.CreateDirectory(folder);
        int count;
        using (var scope = NewDisposeScope())
        {
            var weights = model.named_parameters()
                .Where(p => !p.name.Contains(".adapter.", StringComparison.Ordinal))
                .Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter.dtype == written ? p.parameter.detach() : p.parameter.detach().to(written)))
                .ToList();
            SafetensorsWriter.Write(Path.Combine(folder, WeightsFileName), weights, new Dictionary<string, string> { ["format"] = "pt" });
            count = weights.Count;
        }
        string torchDtype = TorchDtypeName(written);
        if (configSource is null)
            WriteConfig(Path.Combine(folder, ConfigFileName), model.Config, torchDtype);
        else
            CopyConfig(configSource, Path.Combine(folder, ConfigFileName), torchDtype);
        return count;
    }

    /// <summary>The <c>torch_dtype</c> a config names <paramref name="dtype"/> by: <c>float32</c>, <c>bfloat16</c>, <c>float16</c>.</summary>
    public static string TorchDtypeName(ScalarType dtype) => SafetensorsDType.NameOf(dtype) switch
    {
        "F32" => "float32",
        "BF16" => "bfloat16",
        "F16" => "float16",
        string other => other.ToLowerInvariant(),
    };

    /// <summary><paramref name="source"/>'s JSON with <c>torch_dtype</c> set; every other key kept as it was.</summary>
    private static void CopyConfig(string source, string destination, string torchDtype)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(source));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}' is not valid JSON: {e.Message}", e);
        }
        if (root is not JsonObject config)
            throw new InvalidDataException($"'{source}' does not hold a JSON object.");
        config["torch_dtype"] = torchDtype;
        AtomicFile.Write(destination, Encoding.UTF8.GetBytes(config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"));
    }

    private static void WriteConfig(string path, LlamaConfig c, string dtype)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            writer.WriteStartObject();
            writer.WriteStartArray("architectures");
            writer.WriteStringValue("LlamaForCausalLM");
            writer.WriteEndArray();
            writer.WriteString("model_type", "llama");
            writer.WriteString("hidden_act", "silu");
            writer.WriteNumber("vocab_size", c.VocabSize);
            writer.WriteNumber("hidden_size", c.HiddenSize);
            writer.WriteNumber("intermediate_size", c.IntermediateSize);
            writer.WriteNumber("num_hidden_layers", c.NumHiddenLayers);
            writer.WriteNumber("num_attention_heads", c.NumAttentionHeads);
            writer.WriteNumber("num_key_value_heads", c.NumKeyValueHeads);
            writer.WriteNumber("head_dim", c.HeadDim);
            writer.WriteNumber("rms_norm_eps", c.RmsNormEps);
            writer.WriteNumber("rope_theta", c.RopeTheta);
            if (c.RopeScaling is not null)
                throw new NotSupportedException($"Writing rope_scaling is not supported ('{path}'); this writer is for models made in .NET.");
            writer.WriteNull("rope_scaling");
            writer.WriteBoolean("tie_word_embeddings", c.TieWordEmbeddings);
            writer.WriteBoolean("attention_bias", c.AttentionBias);
            writer.WriteBoolean("mlp_bias", c.MlpBias);
            writer.WriteNumber("max_position_embeddings", c.MaxPositionEmbeddings);
            if (c.BosTokenId is int bos)
                writer.WriteNumber("bos_token_id", bos);
            if (c.EosTokenIds.Count == 1)
                writer.WriteNumber("eos_token_id", c.EosTokenIds[0]);
            else if (c.EosTokenIds.Count > 1)
            {
                writer.WriteStartArray("eos_token_id");
                foreach (int id in c.EosTokenIds)
                    writer.WriteNumberValue(id);
                writer.WriteEndArray();
            }
            if (c.PadTokenId is int pad)
                writer.WriteNumber("pad_token_id", pad);
            writer.WriteString("torch_dtype", dtype);
            writer.WriteEndObject();
        });
    }
}
