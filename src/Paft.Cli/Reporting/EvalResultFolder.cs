using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paft.Cli.Reporting;

/// <summary>Finds the evaluation files (<c>paft eval</c> output) in a folder, recursively, skipping other JSON files such as model manifests.</summary>
internal static class EvalResultFolder
{
    public static IReadOnlyList<EvalResult> Read(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Folder '{folder}' does not exist.");
        var results = new List<EvalResult>();
        foreach (string path in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            if (LooksLikeEvaluation(path))
                results.Add(EvalResultFile.Read(path));
        return results;
    }

    /// <summary>An object with <c>summary</c> and <c>templates</c>: what <c>paft eval</c> writes. A malformed file of that shape still fails loudly in <see cref="EvalResultFile.Read"/>.</summary>
    private static bool LooksLikeEvaluation(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) is JsonObject json && json.ContainsKey("summary") && json.ContainsKey("templates");
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
