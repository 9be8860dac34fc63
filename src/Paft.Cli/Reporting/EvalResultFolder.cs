using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paft.Cli.Reporting;

/// <summary>
/// Finds the evaluation files (<c>paft eval</c> output) in a folder, recursively, skipping other JSON files such as
/// model manifests. <c>X.json</c> and <c>X.adversarial.json</c> are both method X; the file name and the run's
/// <c>testSet</c> must agree on which test set a file holds.
/// </summary>
internal static class EvalResultFolder
{
    /// <exception cref="InvalidDataException">A file is malformed, or its name and its run disagree on the test set (the message names the file).</exception>
    public static IReadOnlyList<EvalResult> Read(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Folder '{folder}' does not exist.");
        var results = new List<EvalResult>();
        // Folder by folder, then by method — the paper's Table 1 rows first, in its order — with the clean file before the
        // adversarial one (plain ordinal order would put "x.adversarial.json" before "x.json", and "sft-top.json" before "sft.json").
        IEnumerable<string> files = Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)
            .OrderBy(p => Path.GetDirectoryName(p), StringComparer.Ordinal)
            .ThenBy(p => TableOrder(EvalResultFile.MethodName(p)))
            .ThenBy(p => EvalResultFile.MethodName(p), StringComparer.Ordinal)
            .ThenBy(EvalResultFile.NamedAdversarial)
            .ThenBy(p => p, StringComparer.Ordinal);
        foreach (string path in files)
        {
            if (!LooksLikeEvaluation(path))
                continue;
            EvalResult result = EvalResultFile.Read(path);
            // The name is how a reader of the folder tells the sets apart; a file that says otherwise inside was misnamed
            // or overwritten, and pairing it would put a clean number in the adversarial column.
            bool named = EvalResultFile.NamedAdversarial(path);
            if (named != result.IsAdversarial)
                throw new InvalidDataException(named
                    ? $"{path}: named {EvalResultFile.AdversarialSuffix}.json but its run has no \"{EvalResult.TestSetKey}\": \"{EvalResult.AdversarialTestSet}\" (it is a clean evaluation)."
                    : $"{path}: its run says \"{EvalResult.TestSetKey}\": \"{EvalResult.AdversarialTestSet}\" but the name does not end in {EvalResultFile.AdversarialSuffix}.json; rename it.");
            results.Add(result);
        }
        return results;
    }

    /// <summary>The methods the demo writes, in the paper's Table 1 order: base, SFT, TopAccuracy, ZOPO, BATprompt, PAFT.</summary>
    private static readonly string[] PaperOrder = ["base", "sft", "sft-top", "zopo", "batprompt", "paft"];

    /// <summary>A method's place among <see cref="PaperOrder"/>; other names after them (then by name).</summary>
    private static int TableOrder(string method) => Array.IndexOf(PaperOrder, method) is int i and >= 0 ? i : PaperOrder.Length;

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
