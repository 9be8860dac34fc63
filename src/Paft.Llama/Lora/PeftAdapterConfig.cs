using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Paft.Llama.Lora;

/// <summary>
/// Reads and writes Hugging Face PEFT's <c>adapter_config.json</c> for LoRA. Writing produces the fields
/// PEFT itself writes for a plain LoRA on a causal LM. Reading requires <c>peft_type</c> LORA, <c>r</c>,
/// <c>lora_alpha</c> and <c>target_modules</c>, and rejects settings this engine does not implement
/// (a bias other than none, fan_in_fan_out, DoRA, per-module rank or alpha patterns, layer selection,
/// modules_to_save) rather than silently computing something else. Fields it does not know are ignored,
/// since every PEFT release adds some.
/// </summary>
internal static class PeftAdapterConfig
{
    public const string FileName = "adapter_config.json";

    /// <summary>The JSON text of <paramref name="config"/>.</summary>
    public static string ToJson(LoraConfig config, string? baseModelNameOrPath)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("peft_type", "LORA");
            w.WriteString("task_type", "CAUSAL_LM");
            if (baseModelNameOrPath is null) w.WriteNull("base_model_name_or_path");
            else w.WriteString("base_model_name_or_path", baseModelNameOrPath);
            w.WriteNumber("r", config.Rank);
            w.WriteNumber("lora_alpha", config.Alpha);
            w.WriteNumber("lora_dropout", config.Dropout);
            if (config.TargetModulesRegex is not null)
            {
                w.WriteString("target_modules", config.TargetModulesRegex);
            }
            else
            {
                w.WriteStartArray("target_modules");
                foreach (string t in config.TargetModules) w.WriteStringValue(t);
                w.WriteEndArray();
            }
            w.WriteString("bias", "none");
            w.WriteBoolean("fan_in_fan_out", false);
            w.WriteBoolean("inference_mode", true);
            w.WriteNull("modules_to_save");
            w.WriteBoolean("init_lora_weights", true);
            w.WriteBoolean("use_rslora", config.UseRsLora);
            w.WriteBoolean("use_dora", false);
            w.WriteNull("layers_to_transform");
            w.WriteStartObject("rank_pattern");
            w.WriteEndObject();
            w.WriteStartObject("alpha_pattern");
            w.WriteEndObject();
            w.WriteNull("revision");
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Parses the config in <paramref name="path"/>; errors name the file and the key.</summary>
    public static LoraConfig Read(string path)
    {
        using (JsonDocument doc = JsonFile.ReadObject(path, "PEFT adapter config"))
        {
            JsonElement root = doc.RootElement;

            string peftType = RequiredString(root, "peft_type", path);
            if (peftType != "LORA")
                throw new InvalidDataException($"'{path}': peft_type is '{peftType}'; only LORA adapters are supported.");
            if (root.TryGetProperty("task_type", out JsonElement task) && task.ValueKind == JsonValueKind.String && task.GetString() != "CAUSAL_LM")
                throw new InvalidDataException($"'{path}': task_type is '{task.GetString()}'; only CAUSAL_LM adapters are supported.");

            int rank = RequiredNumber(root, "r", path) is double r && r == Math.Floor(r) && r > 0 && r <= int.MaxValue
                ? (int)r
                : throw new InvalidDataException($"'{path}': r must be a positive integer.");
            double alpha = RequiredNumber(root, "lora_alpha", path);
            double dropout = root.TryGetProperty("lora_dropout", out JsonElement d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 0.0;

            IReadOnlyList<string> targets = [];
            string? regex = null;
            if (!root.TryGetProperty("target_modules", out JsonElement tm))
                throw new InvalidDataException($"'{path}' has no 'target_modules'.");
            switch (tm.ValueKind)
            {
                case JsonValueKind.String:
                    regex = tm.GetString();
                    break;
                case JsonValueKind.Array:
                    targets = tm.EnumerateArray()
                        .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new InvalidDataException($"'{path}': target_modules must hold strings."))
                        .ToList();
                    break;
                default:
                    throw new InvalidDataException($"'{path}': target_modules must be a list of module names or a regular expression string.");
            }

            RequireValue(root, "bias", path, e => e.ValueKind == JsonValueKind.String && e.GetString() == "none", "only bias \"none\" is supported");
            RequireValue(root, "fan_in_fan_out", path, IsFalse, "only fan_in_fan_out false is supported (weights stored [out, in])");
            RequireValue(root, "use_dora", path, IsFalse, "DoRA is not supported");
            RequireValue(root, "rank_pattern", path, IsEmpty, "per-module ranks are not supported");
            RequireValue(root, "alpha_pattern", path, IsEmpty, "per-module alphas are not supported");
            RequireValue(root, "layers_to_transform", path, IsEmpty, "layer selection is not supported");
            RequireValue(root, "modules_to_save", path, IsEmpty, "modules_to_save is not supported");
            bool rslora = root.TryGetProperty("use_rslora", out JsonElement rs) && rs.ValueKind == JsonValueKind.True;

            var config = new LoraConfig
            {
                Rank = rank,
                Alpha = alpha,
                Dropout = dropout,
                TargetModules = targets,
                TargetModulesRegex = regex,
                UseRsLora = rslora,
            };
            try
            {
                config.Validate();
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"'{path}': {e.Message}", e);
            }
            return config;
        }
    }

    private static bool IsFalse(JsonElement e) => e.ValueKind is JsonValueKind.False or JsonValueKind.Null;

    private static bool IsEmpty(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => true,
        JsonValueKind.Object => !e.EnumerateObject().Any(),
        JsonValueKind.Array => e.GetArrayLength() == 0,
        _ => false,
    };

    private static void RequireValue(JsonElement root, string key, string path, Func<JsonElement, bool> ok, string why)
    {
        if (root.TryGetProperty(key, out JsonElement value) && !ok(value))
            throw new InvalidDataException($"'{path}': {key} is {value.GetRawText()}; {why}.");
    }

    private static string RequiredString(JsonElement root, string key, string path) =>
        root.TryGetProperty(key, out JsonElement e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new InvalidDataException($"'{path}' has no string '{key}'.");

    private static double RequiredNumber(JsonElement root, string key, string path) =>
        root.TryGetProperty(key, out JsonElement e) && e.ValueKind == JsonValueKind.Number
            ? e.GetDouble()
            : throw new InvalidDataException($"'{path}' has no number '{key}'.");
}
