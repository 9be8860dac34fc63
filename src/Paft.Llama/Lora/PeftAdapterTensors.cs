using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Lora;

/// <summary>
/// PEFT's tensor names for a LoRA adapter: the layer <c>model.layers.0.self_attn.q_proj</c> stores
/// <c>base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</c> [r, in] and
/// <c>...lora_B.weight</c> [out, r] (PEFT wraps the model twice: <c>PeftModel.base_model</c> is a
/// <c>LoraModel</c> whose <c>model</c> is the transformers model).
/// </summary>
internal static class PeftAdapterTensors
{
    public const string Prefix = "base_model.model.";

    public static string KeyOfA(string moduleName) => Prefix + moduleName + ".lora_A.weight";

    public static string KeyOfB(string moduleName) => Prefix + moduleName + ".lora_B.weight";

    /// <summary>The adapter tensors under PEFT's names, detached and contiguous, in the adapters' dtype.</summary>
    public static Dictionary<string, Tensor> From(LoraAdapterSet lora)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string name, LoraAdapter adapter) in lora.Adapters)
        {
            tensors[KeyOfA(name)] = adapter.lora_A.detach().contiguous();
            tensors[KeyOfB(name)] = adapter.lora_B.detach().contiguous();
        }
        return tensors;
    }

    /// <summary>
    /// Copies <paramref name="tensors"/> into the adapters, strictly: every adapter needs both keys, no
    /// other key may appear, and shapes must match exactly. Floating tensors of any precision are
    /// converted to the adapters' dtype. Errors name <paramref name="file"/> and the key.
    /// </summary>
    public static void CopyInto(LoraAdapterSet lora, IReadOnlyDictionary<string, Tensor> tensors, string file)
    {
        var expected = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        foreach ((string name, LoraAdapter adapter) in lora.Adapters)
        {
            expected[KeyOfA(name)] = adapter.lora_A;
            expected[KeyOfB(name)] = adapter.lora_B;
        }

        foreach (string key in tensors.Keys.Order(StringComparer.Ordinal))
        {
            if (!expected.ContainsKey(key))
                throw new InvalidDataException(
                    $"'{file}': unexpected tensor '{key}': it is not the lora_A/lora_B weight of a layer the adapter config targets in this model.");
        }
        foreach ((string key, Parameter p) in expected)
        {
            if (!tensors.TryGetValue(key, out Tensor? t))
                throw new InvalidDataException($"'{file}': missing tensor '{key}' for a layer the adapter config targets.");
            if (!t.shape.SequenceEqual(p.shape))
                throw new InvalidDataException(
                    $"'{file}': tensor '{key}' has shape [{string.Join(", ", t.shape)}]; the model needs [{string.Join(", ", p.shape)}].");
            if (!t.is_floating_point())
                throw new InvalidDataException($"'{file}': tensor '{key}' has dtype {t.dtype}; a floating-point type is required.");
        }
        using (no_grad())
        {
            foreach ((string key, Parameter p) in expected)
                p.copy_(tensors[key]);
        }
    }
}
