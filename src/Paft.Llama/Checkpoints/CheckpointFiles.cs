using System.Text.Json;

namespace Paft.Llama.Checkpoints;

/// <summary>
/// Finds a Hugging Face model folder's safetensors weights: <c>model.safetensors</c>, or the shards
/// named by <c>model.safetensors.index.json</c>'s <c>weight_map</c>. Pickle checkpoints are refused,
/// never opened: unpickling runs arbitrary code.
/// </summary>
internal sealed class CheckpointFiles
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    private static readonly string[] PickleExtensions = [".bin", ".pt", ".pth", ".ckpt", ".pkl"];

    private CheckpointFiles(string source, IReadOnlyDictionary<string, string> tensorToFile, IReadOnlyList<string> files)
    {
        Source = source;
        TensorToFile = tensorToFile;
        Files = files;
    }

    /// <summary>The single file or the index file (for error messages).</summary>
    public string Source { get; }

    /// <summary>For a sharded checkpoint, which shard the index says holds each tensor; empty for one file.</summary>
    public IReadOnlyDictionary<string, string> TensorToFile { get; }

    /// <summary>The safetensors files, full paths.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Locates the weights in <paramref name="modelDir"/>.</summary>
    public static CheckpointFiles Locate(string modelDir)
    {
        string dir = Path.GetFullPath(modelDir);
        string single = Path.Combine(dir, SingleFile);
        if (File.Exists(single))
            return new CheckpointFiles(single, new Dictionary<string, string>(), [single]);

        string index = Path.Combine(dir, IndexFile);
        if (File.Exists(index))
            return FromIndex(dir, index);

        var pickles = Directory.EnumerateFiles(dir)
            .Where(f => PickleExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (pickles.Count > 0)
            throw PickleRefused(modelDir, string.Join(", ", pickles));
        throw new FileNotFoundException(
            $"model folder '{modelDir}' has neither '{SingleFile}' nor '{IndexFile}'", single);
    }

    /// <summary>Refuses a path that is itself a pickle checkpoint file.</summary>
    public static void RefusePickleFile(string path)
    {
        if (File.Exists(path) && PickleExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
            throw PickleRefused(path, Path.GetFileName(path));
    }

    private static InvalidDataException PickleRefused(string where, string files) =>
        new($"'{where}' holds a pickle checkpoint ({files}); only safetensors checkpoints are loaded, and pickle " +
            "files are never executed. Convert it to safetensors first (e.g. with Hugging Face transformers: " +
            "model.save_pretrained(dir, safe_serialization=True)).");

    private static CheckpointFiles FromIndex(string dir, string index)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(index));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"checkpoint index '{index}' is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("weight_map", out var map)
                || map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"checkpoint index '{index}' has no 'weight_map' object");

            var tensorToFile = new Dictionary<string, string>(StringComparer.Ordinal);
            var files = new List<string>();
            string root = dir.EndsWith(Path.DirectorySeparatorChar) ? dir : dir + Path.DirectorySeparatorChar;
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new InvalidDataException($"checkpoint index '{index}': weight_map entry '{entry.Name}' must be a file name");
                string shard = entry.Value.GetString()!;
                string full = Path.GetFullPath(Path.Combine(dir, shard));
                // A shard must be a file inside the model folder: no absolute paths, no "..".
                if (Path.IsPathRooted(shard) || !full.StartsWith(root, StringComparison.Ordinal))
                    throw new InvalidDataException(
                        $"checkpoint index '{index}': tensor '{entry.Name}' names shard '{shard}', which is outside the model folder '{dir}'");
                if (!full.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException(
                        $"checkpoint index '{index}': tensor '{entry.Name}' names shard '{shard}', which is not a .safetensors file; only safetensors checkpoints are loaded");
                if (!File.Exists(full))
                    throw new FileNotFoundException($"checkpoint index '{index}': shard '{shard}' (tensor '{entry.Name}') does not exist", full);
                tensorToFile[entry.Name] = full;
                if (!files.Contains(full)) files.Add(full);
            }
            return new CheckpointFiles(index, tensorToFile, files);
        }
    }
}
