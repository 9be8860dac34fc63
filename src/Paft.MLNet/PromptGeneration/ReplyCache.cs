using System.Security.Cryptography;
using System.Text.Json;
using Paft.Llama;

namespace Paft.MLNet.PromptGeneration;

/// <summary>
/// LLM replies on disk, one JSON file per request, named by a SHA-256 of everything that determines
/// the reply (client kind, endpoint, model, meta-prompt text, sampling options, request index), so a
/// rerun with the same settings sends no request. Only the reply text is stored: never a key, header
/// or URL. Files are written to a temporary name and renamed, so a crash leaves no half entry.
/// </summary>
internal sealed class ReplyCache
{
    // Bumped when the stored format or the key's ingredients change, so old entries are not misread.
    private const int FormatVersion = 1;

    public ReplyCache(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public static string Key(string kind, Uri? endpoint, string model, string metaPrompt, float? temperature,
        int? maxOutputTokens, long? seed, int requestIndex)
    {
        var ingredients = new
        {
            version = FormatVersion,
            kind,
            endpoint = endpoint?.AbsoluteUri ?? "",
            model,
            metaPrompt,
            temperature,
            maxOutputTokens,
            seed,
            requestIndex,
        };
        byte[] hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(ingredients));
        return Convert.ToHexStringLower(hash);
    }

    public string PathOf(string key) => Path.Combine(Directory, key + ".json");

    /// <summary>The stored reply, or null when there is none or the file is unreadable (then <paramref name="problem"/> says why).</summary>
    public string? TryRead(string key, out string? problem)
    {
        problem = null;
        string path = PathOf(key);
        if (!File.Exists(path))
            return null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("reply", out JsonElement reply)
                && reply.ValueKind == JsonValueKind.String)
                return reply.GetString();
            problem = $"cache file '{path}' has no string field 'reply'";
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = $"cache file '{path}' is unreadable: {e.Message}";
        }
        return null;
    }

    public void Write(string key, string reply)
    {
        AtomicFile.Write(PathOf(key), JsonSerializer.SerializeToUtf8Bytes(new { reply }, new JsonSerializerOptions { WriteIndented = true }));
    }
}
