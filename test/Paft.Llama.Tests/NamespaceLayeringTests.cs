using System.Text.RegularExpressions;

namespace Paft.Llama.Tests;

/// <summary>
/// Paft.Llama's namespaces form layers (Modules and Checkpoints at the bottom, Modeling above them,
/// Inference and Training on top): no namespace imports one that imports it back, directly or not.
/// Read from the sources' <c>using</c> lines, which is how the library's files name each other.
/// </summary>
public partial class NamespaceLayeringTests
{
    [GeneratedRegex(@"^namespace (Paft\.Llama[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using (Paft\.Llama\.[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex UsingLine();

    [Fact]
    public void NoNamespaceOfPaftLlamaDependsOnItself()
    {
        string? root = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && root is null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Paft.MLNet.sln"))) root = dir.FullName;
        Assert.NotNull(root);

        var imports = new Dictionary<string, HashSet<string>>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(root, "src", "Paft.Llama"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            string text = File.ReadAllText(file);
            if (NamespaceLine().Match(text) is not { Success: true } ns) continue;
            var set = imports.TryGetValue(ns.Groups[1].Value, out var s) ? s : imports[ns.Groups[1].Value] = [];
            foreach (Match u in UsingLine().Matches(text))
                if (u.Groups[1].Value != ns.Groups[1].Value) set.Add(u.Groups[1].Value);
        }
        Assert.Contains("Paft.Llama.Modeling", imports.Keys);

        foreach (string start in imports.Keys)
        {
            // Everything reachable from start's imports; start among them is a cycle.
            var seen = new HashSet<string>();
            var path = new Dictionary<string, string>();
            var queue = new Queue<string>(imports[start]);
            foreach (string first in imports[start]) path[first] = start;
            while (queue.Count > 0)
            {
                string ns = queue.Dequeue();
                if (!seen.Add(ns)) continue;
                if (ns == start) Assert.Fail($"namespace cycle: {Chain(path, start)}");
                foreach (string next in imports.GetValueOrDefault(ns) ?? [])
                {
                    path.TryAdd(next, ns);
                    queue.Enqueue(next);
                }
            }
        }
    }

    private static string Chain(Dictionary<string, string> path, string start)
    {
        var chain = new List<string> { start };
        for (string at = path[start]; at != start && chain.Count < 20; at = path[at]) chain.Insert(0, at);
        return start + " -> " + string.Join(" -> ", chain);
    }
}
