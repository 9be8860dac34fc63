using System.CommandLine;
using Paft.Llama.Checkpoints;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft lora merge --model DIR --adapter DIR --out DIR [--dtype fp32|bf16] [--force]</c>: folds a LoRA
/// adapter into its base model and writes a plain Hugging Face checkpoint that needs no adapter code:
/// <c>config.json</c> (the base's, with <c>torch_dtype</c> saying what was written), <c>model.safetensors</c>
/// with Hugging Face key names (a tied embedding stays tied: no <c>lm_head.weight</c>), and the base's
/// tokenizer, generation-config and licence files copied. The merge is computed in float32 and rounded
/// once to the output dtype. The folder is built under a temporary name beside the target and renamed
/// into place, so a failed run leaves no half-written checkpoint.
/// </summary>
internal static class LoraMergeCommand
{
    /// <summary>Files of a model folder that travel with the weights (relative paths), when present.</summary>
    internal static readonly string[] CompanionFiles =
    [
        "tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "generation_config.json", Path.Combine("original", "tokenizer.model"),
    ];

    public static Command Create()
    {
        Option<string> model = ModelCommandOptions.Model();
        Option<string> adapter = new("--adapter") { Description = "The PEFT LoRA adapter folder to merge.", Required = true };
        Option<string> output = new("--out") { Description = "The folder to write the merged checkpoint to; it must not exist or be empty (see --force).", Required = true };
        Option<string?> dtype = new Option<string?>("--dtype")
        {
            Description = "Dtype of the written weights: fp32 or bf16 (default: the base checkpoint's torch_dtype when it is one of these, else fp32).",
        }.AcceptOnlyFromAmong("fp32", "bf16");
        Option<bool> force = new("--force") { Description = "Replace the --out folder even if it is not empty." };
        var command = new Command("merge", "Merge a LoRA adapter into its base model and write a Hugging Face checkpoint.")
        {
            model, adapter, output, dtype, force,
        };
        command.SetAction(parseResult => ModelCommandOptions.Run(parseResult, writer => Merge(
            parseResult.GetValue(model)!, parseResult.GetValue(adapter)!, parseResult.GetValue(output)!,
            parseResult.GetValue(dtype), parseResult.GetValue(force), writer)));
        return command;
    }

    private static int Merge(string modelDir, string adapterDir, string outDir, string? dtypeName, bool force, TextWriter output)
    {
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));
        CheckTarget(target, modelDir, adapterDir, force);
        if (!Directory.Exists(adapterDir))
            throw new DirectoryNotFoundException($"adapter folder '{adapterDir}' does not exist.");

        string configPath = Path.Combine(modelDir, "config.json");
        using LlamaForCausalLM llama = ModelCommandOptions.Load(modelDir, ScalarType.Float32, adapterDir: null);
        ScalarType dtype = dtypeName is null ? DefaultDType(llama.Config) : ModelCommandOptions.ToScalarType(dtypeName);

        LoraAdapterSet lora = PeftAdapter.Load(llama, adapterDir);
        // With tied embeddings lm_head and embed_tokens are one matrix: merging an update of either would
        // change both, a model the adapter never described.
        if (llama.Config.TieWordEmbeddings && lora.Adapters.FirstOrDefault(a => a.Key is "lm_head" or "model.embed_tokens").Key is string tied)
            throw new NotSupportedException($"'{adapterDir}' adapts '{tied}', whose weight the base model ties to the other of lm_head/embed_tokens; merging it would change both. Keep it as an adapter instead.");
        lora.Merge();

        string folder = Path.GetDirectoryName(target) ?? throw new ArgumentException($"--out '{outDir}' has no parent folder.");
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        var copied = new List<string>();
        int written;
        try
        {
            // The base's config with torch_dtype set; the adapter's own A and B tensors are not written.
            written = LlamaCheckpointWriter.Save(llama, temp, dtype, configSource: configPath);
            foreach (string name in CompanionFiles.Concat(LicenseFiles(modelDir)))
            {
                string source = Path.Combine(modelDir, name);
                if (!File.Exists(source))
                    continue;
                string destination = Path.Combine(temp, name);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(source, destination);
                copied.Add(name);
            }
            Replace(target, temp);
        }
        catch
        {
            if (Directory.Exists(temp))
                Directory.Delete(temp, recursive: true);
            throw;
        }

        output.WriteLine($"Merged '{adapterDir}' ({lora.Adapters.Count} LoRA layers, r {lora.Config.Rank}) into '{modelDir}'; wrote {written} tensors as {LlamaCheckpointWriter.TorchDtypeName(dtype)} to '{target}'.");
        output.WriteLine(copied.Count == 0 ? "Copied no tokenizer files (the base folder has none)." : $"Copied {string.Join(", ", copied)}.");
        return ModelCommandOptions.Success;
    }

    /// <summary>Refuses a target that is a file, one of the inputs, or a non-empty folder without --force.</summary>
    private static void CheckTarget(string target, string modelDir, string adapterDir, bool force)
    {
        if (File.Exists(target))
            throw new IOException($"--out '{target}' is a file, not a folder.");
        foreach (string input in new[] { modelDir, adapterDir })
            if (string.Equals(target, Path.TrimEndingDirectorySeparator(Path.GetFullPath(input)), StringComparison.Ordinal))
                throw new ArgumentException($"--out '{target}' is an input folder; write the merged checkpoint elsewhere.");
        if (!force && Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new IOException($"--out '{target}' is not empty; choose another folder or pass --force to replace it.");
    }

    /// <summary>Puts the finished folder <paramref name="temp"/> in place of <paramref name="target"/>.</summary>
    private static void Replace(string target, string temp)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(temp, target);
            return;
        }
        // Move the old folder aside first, so at every moment the target is either the old or the new one.
        string old = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.old");
        Directory.Move(target, old);
        try
        {
            Directory.Move(temp, target);
        }
        catch
        {
            Directory.Move(old, target);
            throw;
        }
        Directory.Delete(old, recursive: true);
    }

    private static ScalarType DefaultDType(LlamaConfig config) =>
        config.TorchDtype == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary>Licence and use-policy files at the top of the model folder (Llama's licence asks that they travel with the weights).</summary>
    private static IEnumerable<string> LicenseFiles(string modelDir) =>
        Directory.EnumerateFiles(modelDir)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => n.StartsWith("LICENSE", StringComparison.OrdinalIgnoreCase) || n.StartsWith("USE_POLICY", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
}
