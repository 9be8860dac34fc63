using System.Text.Json;
using System.Text.Json.Serialization;
using Paft.Llama.Lora;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.MLNet.Model;

/// <summary>
/// The saved form of a PAFT model: a folder with the adapter in PEFT layout and <c>paft_model.json</c>, or the
/// same files in one <c>.zip</c> archive (<see cref="PaftModelArchive"/>), chosen by the path's extension.
/// The base model is referenced by path and checksum, not copied.
/// </summary>
internal static class PaftModelFiles
{
    public const string ManifestName = "paft_model.json";
    private const string Format = "paft-mlnet/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Saves to a folder, or to one archive when <paramref name="path"/> ends in <c>.zip</c>.</summary>
    public static void Save(PaftPredictor model, string path)
    {
        if (PaftModelArchive.IsArchive(path))
            PaftModelArchive.Save(model, path);
        else
            SaveFolder(model, path);
    }

    /// <summary>Loads a folder, or an archive when <paramref name="path"/> ends in <c>.zip</c>.</summary>
    public static PaftPredictor Load(string path, string? baseModelPath, PaftComputeType? computeType = null) =>
        PaftModelArchive.IsArchive(path)
            ? PaftModelArchive.Load(path, baseModelPath, computeType)
            : LoadFolder(path, baseModelPath, computeType, source: null);

    internal static void SaveFolder(PaftPredictor model, string path)
    {
        string target = Path.GetFullPath(path);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !File.Exists(Path.Combine(target, ManifestName)))
            throw new IOException($"Refusing to save a PAFT model into '{target}': it is not empty and holds no {ManifestName}.");

        // Write everything into a sibling folder, then swap it in: a crash leaves the old model or the new one, never half.
        string temp = target + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(temp);
        try
        {
            if (model.Lora is not null)
                PeftAdapter.Save(model.Lora, temp, model.Checkpoint.Path);
            var manifest = new Manifest(
                Format,
                new BaseModelReference(model.Checkpoint.Path, LoadedCheckpoint.Checksum(model.Checkpoint.Path), model.Checkpoint.TokenizerPath),
                model.Checkpoint.ComputeType,
                new TaskReference(model.Task.Name, model.Task.Fields, model.Task.OptionFields, model.Task.AnswerLabels),
                new TemplateReference(model.InferenceTemplate.Id, model.InferenceTemplate.Text, model.InferenceTemplate.Escaping),
                model.Scoring,
                model.BatchSize,
                model.MaxNewTokens,
                model.MaxLength,
                model.Lora is not null,
                model.Training,
                model.Columns == PaftColumns.Default ? null : model.Columns);
            File.WriteAllText(Path.Combine(temp, ManifestName), JsonSerializer.Serialize(manifest, Json));

            string? old = null;
            if (Directory.Exists(target))
            {
                old = target + ".old-" + Guid.NewGuid().ToString("N")[..8];
                Directory.Move(target, old);
            }
            Directory.Move(temp, target);
            if (old is not null)
                Directory.Delete(old, recursive: true);
        }
        catch
        {
            if (Directory.Exists(temp))
                Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <summary>Loads the model in <paramref name="path"/>.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="baseModelPath">Where the base model is now, or null for the recorded path.</param>
    /// <param name="computeType">The compute dtype, or null for the recorded one.</param>
    /// <param name="source">The archive the folder was extracted from, named in messages instead of the folder; null for a saved folder.</param>
    internal static PaftPredictor LoadFolder(string path, string? baseModelPath, PaftComputeType? computeType, string? source)
    {
        string folder = Path.GetFullPath(path);
        string manifestPath = Path.Combine(folder, ManifestName);
        string manifestName = source is null ? manifestPath : $"{source}' entry '{ManifestName}";
        if (!File.Exists(manifestPath))
            throw new InvalidDataException($"'{folder}' is not a saved PAFT model: {ManifestName} is missing.");
        Manifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), Json)
                ?? throw new InvalidDataException($"'{manifestName}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{manifestName}' is not valid: {e.Message}", e);
        }
        if (manifest.Format != Format)
            throw new InvalidDataException($"'{manifestName}' has format '{manifest.Format}'; this version reads '{Format}'.");
        if (source is not null && manifest.HasAdapter)
            foreach (string file in new[] { PeftAdapter.ConfigFileName, PeftAdapter.WeightsFileName })
                if (!File.Exists(Path.Combine(folder, file)))
                    throw new InvalidDataException($"'{source}': the entry '{file}' is missing, but '{ManifestName}' says the model has an adapter.");

        string basePath = Path.GetFullPath(baseModelPath ?? manifest.BaseModel.Path);
        if (!Directory.Exists(basePath))
            throw new DirectoryNotFoundException(
                $"The base model of '{source ?? folder}' was at '{basePath}', which no longer exists. Pass its new location as baseModelPath.");
        string checksum = LoadedCheckpoint.Checksum(basePath);
        if (!string.Equals(checksum, manifest.BaseModel.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException(
                $"The base model at '{basePath}' changed since '{source ?? folder}' was saved (SHA-256 {manifest.BaseModel.Sha256}, now {checksum}). " +
                "The adapter only makes sense on the exact base it was trained on.");

        LoadedCheckpoint baseModel = LoadedCheckpoint.Load(basePath, manifest.BaseModel.TokenizerPath, computeType ?? manifest.ComputeType);
        LoraAdapterSet? lora;
        try
        {
            lora = manifest.HasAdapter ? PeftAdapter.Load(baseModel.CausalLM, folder) : null;
        }
        catch (InvalidDataException e) when (source is not null)
        {
            // The adapter files were extracted to a temporary folder; the archive is what the user knows.
            throw new InvalidDataException($"'{source}': {e.Message}", e);
        }
        var task = new TaskDefinition(manifest.Task.Name, manifest.Task.Fields, manifest.Task.OptionFields, manifest.Task.AnswerLabels);
        PromptTemplate template = PromptTemplate.Parse(manifest.InferenceTemplate.Text, manifest.InferenceTemplate.Id, manifest.InferenceTemplate.Escaping);
        return new PaftPredictor(baseModel, lora, task, template, manifest.Scoring, manifest.BatchSize, manifest.MaxNewTokens,
            manifest.MaxLength, manifest.Training, manifest.Columns);
    }

    private sealed record Manifest(
        string Format,
        BaseModelReference BaseModel,
        PaftComputeType ComputeType,
        TaskReference Task,
        TemplateReference InferenceTemplate,
        ScoringMode Scoring,
        int BatchSize,
        int MaxNewTokens,
        int MaxLength,
        bool HasAdapter,
        PaftTrainingInfo? Training,
        PaftColumns? Columns); // null: ML.NET's usual names (and every model saved before names could be given)

    private sealed record BaseModelReference(string Path, string Sha256, string? TokenizerPath);

    private sealed record TaskReference(string Name, IReadOnlyList<string> Fields, IReadOnlyList<string> OptionFields, IReadOnlyList<string> AnswerLabels);

    private sealed record TemplateReference(string Id, string Text, PromptTextEscaping Escaping);
}
