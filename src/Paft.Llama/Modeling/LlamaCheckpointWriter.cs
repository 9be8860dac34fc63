using System.Text.Json;
using Paft.Llama.Checkpoints;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// Writes a <see cref="LlamaForCausalLM"/> as a Hugging Face checkpoint folder (<c>config.json</c> and a
/// single <c>model.safetensors</c>) that <see cref="LlamaForCausalLM.FromPretrained"/>, and any LLaMA loader,
/// read back: for a model made or trained in .NET (e.g. a small model pretrained from scratch). LoRA adapter
/// weights are left out (merge them first to keep them, or save them with <c>PeftAdapter.Save</c>); the
/// tokenizer is not written (save it beside the files). Each file is written to a temporary name and renamed.
/// </summary>
public static class LlamaCheckpointWriter
{
    /// <summary>The config file's name.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file's name.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>Writes <paramref name="model"/>'s config and own weights (in their current dtype) into <paramref name="folder"/>, creating it.</summary>
    /// <param name="model">The model; adapter weights on it are not written.</param>
    /// <param name="folder">The checkpoint folder.</param>
    public static void Save(LlamaForCausalLM model, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        var weights = model.named_parameters()
            .Where(p => !p.name.Contains(".adapter.", StringComparison.Ordinal))
            .Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter.detach()))
            .ToList();
        SafetensorsWriter.Write(Path.Combine(folder, WeightsFileName), weights, new Dictionary<string, string> { ["format"] = "pt" });
        WriteConfig(Path.Combine(folder, ConfigFileName), model.Config, SafetensorsDType.NameOf(model.DType) switch
        {
            "F32" => "float32",
            "BF16" => "bfloat16",
            "F16" => "float16",
            string other => other.ToLowerInvariant(),
        });
    }

    private static void WriteConfig(string path, LlamaConfig c, string dtype)
    {
        string fullPath = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
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
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
