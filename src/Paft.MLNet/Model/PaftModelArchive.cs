using System.IO.Compression;
using Paft.Llama;
using Paft.Llama.Lora;
using Paft.MLNet.Training;

namespace Paft.MLNet.Model;

/// <summary>
/// A saved PAFT model as one file: the folder format's files (<c>paft_model.json</c> with the task, template, settings,
/// the base model's path and checksum; the adapter's <c>adapter_config.json</c> and <c>adapter_model.safetensors</c>)
/// as entries of a <c>.zip</c> archive, written atomically. Reading takes only those entries, checks that each inflates
/// to its stated size, and refuses a damaged archive naming the file and the entry.
/// </summary>
internal static class PaftModelArchive
{
    /// <summary>The entries an archive may hold; anything else is ignored.</summary>
    private static readonly string[] Entries = [PaftModelFiles.ManifestName, PeftAdapter.ConfigFileName, PeftAdapter.WeightsFileName];

    /// <summary>Whether <paramref name="path"/> names an archive (<c>.zip</c>) rather than a folder.</summary>
    public static bool IsArchive(string path) =>
        string.Equals(Path.GetExtension(Path.TrimEndingDirectorySeparator(path)), ".zip", StringComparison.OrdinalIgnoreCase);

    public static void Save(PaftPredictor model, string path)
    {
        string staging = StagingFolder();
        try
        {
            PaftModelFiles.SaveFolder(model, staging);
            AtomicFile.Write(path, stream =>
            {
                using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                foreach (string entry in Entries.Where(e => File.Exists(Path.Combine(staging, e))))
                    zip.CreateEntryFromFile(Path.Combine(staging, entry), entry, CompressionLevel.Optimal);
            });
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }

    public static PaftPredictor Load(string path, string? baseModelPath, PaftComputeType? computeType)
    {
        string archive = Path.GetFullPath(path);
        if (!File.Exists(archive))
            throw new FileNotFoundException($"PAFT model archive '{archive}' does not exist.", archive);
        string staging = StagingFolder();
        try
        {
            Directory.CreateDirectory(staging);
            ZipArchive zip;
            try
            {
                zip = ZipFile.OpenRead(archive);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"'{archive}' is not a readable PAFT model archive (truncated or not a zip): {e.Message}", e);
            }
            using (zip)
            {
                if (zip.GetEntry(PaftModelFiles.ManifestName) is null)
                    throw new InvalidDataException($"'{archive}' is not a saved PAFT model: it has no entry '{PaftModelFiles.ManifestName}'.");
                foreach (string name in Entries)
                    if (zip.GetEntry(name) is { } entry)
                        Extract(archive, entry, Path.Combine(staging, name));
            }
            return PaftModelFiles.LoadFolder(staging, baseModelPath, computeType, source: archive);
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Copies one entry out, refusing one whose data is damaged or shorter or longer than the archive says.</summary>
    private static void Extract(string archive, ZipArchiveEntry entry, string destination)
    {
        long written;
        try
        {
            using Stream source = entry.Open();
            using var target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write);
            source.CopyTo(target);
            written = target.Length;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{archive}': the entry '{entry.FullName}' is damaged: {e.Message}", e);
        }
        if (written != entry.Length)
            throw new InvalidDataException(
                $"'{archive}': the entry '{entry.FullName}' holds {written:N0} bytes, but the archive says {entry.Length:N0}.");
    }

    private static string StagingFolder() => Path.Combine(Path.GetTempPath(), "paft-model-" + Guid.NewGuid().ToString("N"));
}
