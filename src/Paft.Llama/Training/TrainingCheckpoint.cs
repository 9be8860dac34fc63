using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Paft.Llama.Lora;

namespace Paft.Llama.Training;

/// <summary>
/// Training checkpoints: one folder <c>checkpoint-NNNNNNNN</c> (N = optimizer steps done) holding the
/// adapter in PEFT's layout (<c>adapter_config.json</c>, <c>adapter_model.safetensors</c>: any checkpoint
/// is a usable adapter), AdamW's state (<c>optimizer.bin</c>, <see cref="AdamWOptimizer.Save"/>'s
/// format: per parameter name, step, exp_avg, exp_avg_sq) and <c>trainer_state.json</c> (data position,
/// schedule position, the dropout generator's state). A checkpoint is written into a hidden temporary
/// folder beside it and renamed into place only when every file is flushed to disk, so a folder with
/// the final name is always complete; temporary leftovers of a killed process are ignored and removed.
/// </summary>
/// <remarks>Public for tools that resume or inspect runs: <see cref="List"/> and <see cref="ReadGlobalStep"/>; the rest is the trainer's.</remarks>
public static partial class TrainingCheckpoint
{
    internal const string AdapterFile = PeftAdapter.WeightsFileName;
    internal const string OptimizerFile = "optimizer.bin";
    internal const string StateFile = "trainer_state.json";

    /// <summary>The checkpoint layout this version writes and reads. 2: AdamW's state in Paft's own format (1 held TorchSharp's).</summary>
    internal const int FormatVersion = 2;

    [GeneratedRegex(@"^checkpoint-(\d{8})$", RegexOptions.CultureInvariant)]
    private static partial Regex FolderName();

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes a checkpoint atomically, then deletes all but the newest <paramref name="keep"/>.</summary>
    internal static string Write(string directory, LoraAdapterSet lora, AdamWOptimizer optimizer, TrainingState state, int keep, string? baseModelNameOrPath = null)
    {
        Directory.CreateDirectory(directory);
        string name = "checkpoint-" + state.GlobalStep.ToString("D8", CultureInfo.InvariantCulture);
        string final = Path.Combine(directory, name);
        string temp = Path.Combine(directory, "." + name + ".tmp");
        if (Directory.Exists(temp))
            Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);

        try
        {
            PeftAdapter.Save(lora, temp, baseModelNameOrPath);
            WriteFile(Path.Combine(temp, OptimizerFile), optimizer.Save);
            WriteFile(Path.Combine(temp, StateFile), writer => writer.Write(JsonSerializer.SerializeToUtf8Bytes(state, Json)));
        }
        catch (Exception e) when (AtomicFile.IsWriteFailure(e))
        {
            // A full disk (ENOSPC), a file-size limit (EFBIG, which .NET reports as an ArgumentOutOfRangeException) or a
            // read-only folder: the half-written folder goes, the complete checkpoints before it stay, and the message names the folder.
            TryDelete(temp);
            throw new IOException($"Could not write the checkpoint of step {state.GlobalStep} to '{final}': {e.Message} " +
                "The checkpoints written before it are kept.", e);
        }

        if (Directory.Exists(final))
            Directory.Delete(final, recursive: true);
        Directory.Move(temp, final); // the commit point: a folder with the final name is complete
        Prune(directory, keep);
        return final;
    }

    /// <summary>Reads a checkpoint's trainer state (validating the folder is complete).</summary>
    /// <summary>The optimizer steps done when the checkpoint in <paramref name="folder"/> was written.</summary>
    /// <exception cref="InvalidDataException">Its <c>trainer_state.json</c> is missing or malformed; the message names the file.</exception>
    public static int ReadGlobalStep(string folder) => ReadState(folder).GlobalStep;

    internal static TrainingState ReadState(string folder)
    {
        string path = Path.Combine(folder, StateFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{folder}' is not a complete training checkpoint: '{StateFile}' is missing.", path);
        TrainingState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllBytes(path), Json)
                ?? throw new InvalidDataException($"'{path}' holds no trainer state.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid trainer state: {e.Message}", e);
        }
        if (state.FormatVersion != FormatVersion)
            throw new InvalidDataException(
                $"'{folder}' is a checkpoint of format {state.FormatVersion}; this version resumes only format {FormatVersion} (its own AdamW state): start the run again without resuming.");
        return state;
    }

    /// <summary>Copies the checkpoint's adapter into <paramref name="lora"/>, checking config, names and shapes.</summary>
    internal static void LoadAdapter(string folder, LoraAdapterSet lora)
    {
        string configPath = Path.Combine(folder, PeftAdapter.ConfigFileName);
        LoraConfig stored = PeftAdapterConfig.Read(configPath);
        LoraConfig current = lora.Config;
        if (stored.Rank != current.Rank || stored.Alpha != current.Alpha || stored.UseRsLora != current.UseRsLora
            || stored.TargetModulesRegex != current.TargetModulesRegex || !stored.TargetModules.SequenceEqual(current.TargetModules))
            throw new InvalidDataException(
                $"'{configPath}' describes another LoRA (r {stored.Rank}, alpha {stored.Alpha}) than the one being trained (r {current.Rank}, alpha {current.Alpha}) or other targets.");
        PeftAdapter.LoadWeights(lora, Path.Combine(folder, AdapterFile));
    }

    /// <summary>Restores AdamW's moments and step counts.</summary>
    internal static void LoadOptimizer(string folder, AdamWOptimizer optimizer)
    {
        string path = Path.Combine(folder, OptimizerFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{folder}' is not a complete training checkpoint: '{OptimizerFile}' is missing.", path);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8);
        optimizer.Load(reader, path);
    }

    /// <summary>Complete checkpoints in <paramref name="directory"/>, oldest first.</summary>
    public static IReadOnlyList<(int Step, string Path)> List(string directory)
    {
        if (!Directory.Exists(directory))
            return [];
        var found = new List<(int, string)>();
        foreach (string dir in Directory.EnumerateDirectories(directory))
        {
            Match m = FolderName().Match(Path.GetFileName(dir));
            if (m.Success && File.Exists(Path.Combine(dir, StateFile)))
                found.Add((int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), dir));
        }
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }

    /// <summary>The newest complete checkpoint in <paramref name="directory"/>, or null.</summary>
    internal static string? FindLatest(string directory)
    {
        var all = List(directory);
        return all.Count == 0 ? null : all[^1].Path;
    }

    private static void Prune(string directory, int keep)
    {
        var all = List(directory);
        for (int i = 0; i < all.Count - keep; i++)
            Directory.Delete(all[i].Path, recursive: true);
        foreach (string dir in Directory.EnumerateDirectories(directory, ".checkpoint-*.tmp"))
            Directory.Delete(dir, recursive: true);
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next write or prune, which removes temporary folders.
        }
    }

    private static void WriteFile(string path, Action<BinaryWriter> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
            writer.Flush();
        }
        stream.Flush(flushToDisk: true);
    }
}

/// <summary>
/// The trainer's position, as stored in <c>trainer_state.json</c>. <c>TorchThreads</c> records
/// <c>torch.get_num_threads()</c>: CPU results are bit-identical only for the same thread count.
/// </summary>
internal sealed record TrainingState(
    int FormatVersion,
    int GlobalStep,
    int Epoch,
    int StepInEpoch,
    int TotalSteps,
    int ExamplesPerEpoch,
    long Seed,
    string DropoutGeneratorState,
    double LastLoss,
    int TorchThreads);
