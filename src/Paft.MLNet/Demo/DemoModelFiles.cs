using System.Text.Json;
using Paft.Llama.Checkpoints;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using static TorchSharp.torch;

namespace Paft.MLNet.Demo;

/// <summary>
/// Writes the demo's models in Hugging Face layout (<c>config.json</c>, <c>model.safetensors</c>, the
/// tokenizer file) and LoRA adapters in PEFT layout (<c>adapter_config.json</c>,
/// <c>adapter_model.safetensors</c> with PEFT's key names), so any LLaMA loader can read them back.
/// Every file is written to a temporary name in its folder and renamed.
/// </summary>
internal static class DemoModelFiles
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string AdapterConfigFile = "adapter_config.json";
    public const string AdapterWeightsFile = "adapter_model.safetensors";

    /// <summary>
    /// Writes <paramref name="model"/>'s own weights (adapters left out; merge them first to include
    /// them), its config and the tokenizer into <paramref name="folder"/>.
    /// </summary>
    public static void WriteModel(string folder, LlamaForCausalLM model, WordLevelTokenizer tokenizer)
    {
        Directory.CreateDirectory(folder);
        WriteJson(Path.Combine(folder, ConfigFile), writer => WriteConfig(writer, model.Config));
        var weights = model.named_parameters()
            .Where(p => !p.name.Contains(".adapter.", StringComparison.Ordinal))
            .Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter.detach()))
            .ToList();
        SafetensorsWriter.Write(Path.Combine(folder, WeightsFile), weights, new Dictionary<string, string> { ["format"] = "pt" });
        tokenizer.Save(Path.Combine(folder, WordLevelTokenizer.FileName));
    }

    /// <summary>Writes the adapters in PEFT layout; <paramref name="baseModel"/> is recorded as the base's path.</summary>
    public static void WriteAdapter(string folder, LoraAdapterSet lora, string baseModel)
    {
        Directory.CreateDirectory(folder);
        LoraConfig config = lora.Config;
        WriteJson(Path.Combine(folder, AdapterConfigFile), writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("peft_type", "LORA");
            writer.WriteString("task_type", "CAUSAL_LM");
            writer.WriteString("base_model_name_or_path", baseModel);
            writer.WriteNumber("r", config.Rank);
            writer.WriteNumber("lora_alpha", config.Alpha);
            writer.WriteNumber("lora_dropout", config.Dropout);
            writer.WriteString("bias", "none");
            writer.WriteBoolean("fan_in_fan_out", false);
            writer.WriteBoolean("inference_mode", true);
            if (config.TargetModulesRegex is not null)
                writer.WriteString("target_modules", config.TargetModulesRegex);
            else
            {
                writer.WriteStartArray("target_modules");
                foreach (string target in config.TargetModules)
                    writer.WriteStringValue(target);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        });
        // PEFT names: base_model.model.<module>.lora_A.weight for the layer <module>.
        var tensors = lora.NamedParameters()
            .Select(p => new KeyValuePair<string, Tensor>("base_model.model." + p.Name + ".weight", p.Parameter.detach()))
            .ToList();
        SafetensorsWriter.Write(Path.Combine(folder, AdapterWeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static void WriteConfig(Utf8JsonWriter writer, LlamaConfig c)
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
        writer.WriteNull("rope_scaling");
        writer.WriteBoolean("tie_word_embeddings", c.TieWordEmbeddings);
        writer.WriteBoolean("attention_bias", c.AttentionBias);
        writer.WriteBoolean("mlp_bias", c.MlpBias);
        writer.WriteNumber("max_position_embeddings", c.MaxPositionEmbeddings);
        if (c.BosTokenId is int bos)
            writer.WriteNumber("bos_token_id", bos);
        if (c.EosTokenIds.Count == 1)
            writer.WriteNumber("eos_token_id", c.EosTokenIds[0]);
        if (c.PadTokenId is int pad)
            writer.WriteNumber("pad_token_id", pad);
        writer.WriteString("torch_dtype", "float32");
        writer.WriteEndObject();
    }

    private static void WriteJson(string path, Action<Utf8JsonWriter> write)
    {
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        string temp = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                write(writer);
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
