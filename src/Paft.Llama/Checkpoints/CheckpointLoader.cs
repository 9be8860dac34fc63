using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Checkpoints;

/// <summary>
/// Copies safetensors weights into a model's named parameters with strict key matching: every parameter
/// must be found, every stored tensor must be used, and shapes must agree. A tensor stored in the
/// compute dtype (a bf16 checkpoint loaded in bf16, an fp32 one in fp32) is read from the file straight
/// into its parameter's memory; any other is read, converted and copied in turn, so the peak during
/// loading is the model plus at most one stored tensor.
/// </summary>
internal static class CheckpointLoader
{
    private const int ListedKeys = 20;

    /// <summary>Fills <paramref name="parameters"/> from <paramref name="files"/>; stored tensors without a parameter are an error unless <paramref name="isIgnorable"/>.</summary>
    public static void Load(IReadOnlyList<(string name, Parameter parameter)> parameters, CheckpointFiles files, Func<string, bool> isIgnorable)
    {
        var opened = new Dictionary<string, SafetensorsFile>();
        try
        {
            foreach (string f in files.Files)
                opened[f] = SafetensorsFile.Open(f);

            // Where each stored tensor lives; the index (if any) must agree with the shards.
            var location = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var file in opened.Values)
            {
                foreach (string name in file.Names)
                {
                    if (files.TensorToFile.Count > 0 && (!files.TensorToFile.TryGetValue(name, out var indexed) || indexed != file.Path))
                        throw new InvalidDataException($"tensor '{name}' is in shard '{file.Path}' but index '{files.Source}' does not place it there");
                    if (!location.TryAdd(name, file))
                        throw new InvalidDataException($"tensor '{name}' is stored twice: in '{location[name].Path}' and '{file.Path}'");
                }
            }
            foreach (var (name, shard) in files.TensorToFile)
                if (!location.ContainsKey(name))
                    throw new InvalidDataException($"index '{files.Source}' places tensor '{name}' in '{shard}', but that shard does not hold it");

            var expected = parameters.Select(p => p.name).ToHashSet(StringComparer.Ordinal);
            var missing = expected.Where(n => !location.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
            var unexpected = location.Keys
                .Where(n => !expected.Contains(n) && !isIgnorable(n))
                .Order(StringComparer.Ordinal).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                var parts = new List<string>();
                if (missing.Count > 0) parts.Add($"missing keys ({missing.Count}): {List(missing)}");
                if (unexpected.Count > 0) parts.Add($"unexpected keys ({unexpected.Count}): {List(unexpected)}");
                throw new InvalidDataException($"checkpoint '{files.Source}' does not match the model's config: {string.Join("; ", parts)}");
            }

            using var noGrad = no_grad();
            foreach (var (name, parameter) in parameters)
            {
                var file = location[name];
                var info = file.Info(name);
                if (!info.Shape.SequenceEqual(parameter.shape))
                    throw new InvalidDataException(
                        $"tensor '{name}' in '{file.Path}' has shape [{string.Join(", ", info.Shape)}] but the model's config expects [{string.Join(", ", parameter.shape)}]");
                if (!IsFloatingPoint(info.ScalarType))
                    throw new InvalidDataException($"tensor '{name}' in '{file.Path}' is {info.DType}; model weights must be floating point");
                if (info.ScalarType == parameter.dtype && parameter.device.type == DeviceType.CPU && parameter.is_contiguous())
                {
                    file.ReadInto(name, parameter);
                    continue;
                }
                // copy_ converts dtype and device on the way in: no second full-size buffer.
                using var stored = file.Read(name);
                parameter.copy_(stored);
            }
        }
        finally
        {
            foreach (var f in opened.Values) f.Dispose();
        }
    }

    private static bool IsFloatingPoint(ScalarType t) =>
        t is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64;

    private static string List(List<string> keys) =>
        string.Join(", ", keys.Take(ListedKeys)) + (keys.Count > ListedKeys ? $", ... ({keys.Count - ListedKeys} more)" : "");
}
