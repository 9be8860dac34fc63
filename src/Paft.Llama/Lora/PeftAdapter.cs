using System.Text;
using Paft.Llama.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Lora;

/// <summary>
/// LoRA adapters in Hugging Face PEFT's folder layout: <c>adapter_config.json</c> and
/// <c>adapter_model.safetensors</c> with PEFT's tensor names, so adapters move between this library and
/// PEFT/transformers in both directions. Files are written atomically (temporary file, then rename).
/// </summary>
public static class PeftAdapter
{
    /// <summary>The config file's name.</summary>
    public const string ConfigFileName = PeftAdapterConfig.FileName;

    /// <summary>The weights file's name.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>
    /// Writes <paramref name="lora"/> to <paramref name="directory"/> (created if needed): the weights
    /// first, then the config. The tensors are stored in the adapters' dtype (fp32 for 16-bit bases).
    /// </summary>
    /// <param name="lora">The adapters (merged or not: A and B are saved either way).</param>
    /// <param name="directory">The adapter folder.</param>
    /// <param name="baseModelNameOrPath">Written as <c>base_model_name_or_path</c>; may be null.</param>
    public static void Save(LoraAdapterSet lora, string directory, string? baseModelNameOrPath = null)
    {
        ArgumentNullException.ThrowIfNull(lora);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        Dictionary<string, Tensor> tensors = PeftAdapterTensors.From(lora);
        try
        {
            SafetensorsWriter.Write(Path.Combine(directory, WeightsFileName), tensors,
                new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
        }
        AtomicFile.Write(Path.Combine(directory, ConfigFileName),
            Encoding.UTF8.GetBytes(PeftAdapterConfig.ToJson(lora.Config, baseModelNameOrPath)));
    }

    /// <summary>Reads <c>adapter_config.json</c> of the adapter in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">The config is malformed or asks for something unsupported; the message names the file and key.</exception>
    public static LoraConfig ReadConfig(string directory) =>
        PeftAdapterConfig.Read(Path.Combine(directory, ConfigFileName));

    /// <summary>
    /// Applies the adapter in <paramref name="directory"/> to <paramref name="model"/>: wraps the layers
    /// its config targets (freezing the base, as <see cref="LoraAdapterSet.Apply"/> does) and loads A and B
    /// strictly — an unknown tensor, a missing one or a wrong shape is an error naming the file and the key,
    /// and the model is left without adapters.
    /// </summary>
    public static LoraAdapterSet Load(nn.Module model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        string configPath = Path.Combine(directory, ConfigFileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        LoraConfig config = PeftAdapterConfig.Read(configPath);
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"PEFT adapter weights '{weightsPath}' do not exist.", weightsPath);

        LoraAdapterSet lora;
        try
        {
            lora = LoraAdapterSet.Apply(model, config);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{configPath}' does not fit this model: {e.Message}", e);
        }
        try
        {
            LoadWeights(lora, weightsPath);
        }
        catch
        {
            lora.Remove();
            throw;
        }
        return lora;
    }

    /// <summary>Copies the tensors of a PEFT weights file into existing adapters, strictly.</summary>
    internal static void LoadWeights(LoraAdapterSet lora, string weightsPath)
    {
        using SafetensorsFile file = SafetensorsFile.Open(weightsPath);
        Dictionary<string, Tensor> tensors = file.ReadAll();
        try
        {
            PeftAdapterTensors.CopyInto(lora, tensors, weightsPath);
        }
        finally
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
        }
    }
}
