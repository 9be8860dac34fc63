using System.Text;

namespace Paft.MLNet.Prompts;

/// <summary>
/// Near-duplicate detection by character n-gram shingles: two texts are compared by the Jaccard index
/// of their sets of n-character substrings, after lower-casing and collapsing whitespace. Hashes are a
/// fixed FNV-1a, so results do not depend on the process (string.GetHashCode is randomised).
/// </summary>
internal static class TextShingles
{
    public const int DefaultSize = 5;

    /// <summary>Lower-case, whitespace runs collapsed to one space, trimmed: the key for exact duplicates.</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
                builder.Append(' ');
            pendingSpace = false;
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    /// <summary>The sorted distinct hashes of the n-character substrings of the normalised text.</summary>
    public static ulong[] Shingles(string text, int size = DefaultSize)
    {
        string normalized = Normalize(text);
        if (normalized.Length <= size)
            return [Hash(normalized.AsSpan())];
        var hashes = new ulong[normalized.Length - size + 1];
        for (int i = 0; i < hashes.Length; i++)
            hashes[i] = Hash(normalized.AsSpan(i, size));
        Array.Sort(hashes);
        int distinct = hashes.Length == 0 ? 0 : 1;
        for (int i = 1; i < hashes.Length; i++)
            if (hashes[i] != hashes[distinct - 1])
                hashes[distinct++] = hashes[i];
        return hashes[..distinct];
    }

    /// <summary>|a ∩ b| / |a ∪ b| of two sorted distinct arrays.</summary>
    public static double Jaccard(ulong[] a, ulong[] b)
    {
        int i = 0, j = 0, common = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j]) { common++; i++; j++; }
            else if (a[i] < b[j]) i++;
            else j++;
        }
        int union = a.Length + b.Length - common;
        return union == 0 ? 1.0 : (double)common / union;
    }

    /// <summary>
    /// Groups the texts whose similarity chains reach <paramref name="threshold"/> (single linkage):
    /// each group lists indices in ascending order; groups are ordered by their first index.
    /// </summary>
    public static List<List<int>> Clusters(IReadOnlyList<ulong[]> shingles, double threshold)
    {
        int[] parent = Enumerable.Range(0, shingles.Count).ToArray();
        int Find(int x)
        {
            while (parent[x] != x)
                x = parent[x] = parent[parent[x]];
            return x;
        }
        for (int i = 0; i < shingles.Count; i++)
            for (int j = i + 1; j < shingles.Count; j++)
                if (Find(i) != Find(j) && CanReach(shingles[i], shingles[j], threshold) && Jaccard(shingles[i], shingles[j]) >= threshold)
                    parent[Math.Max(Find(i), Find(j))] = Math.Min(Find(i), Find(j));
        return Enumerable.Range(0, shingles.Count).GroupBy(Find).Select(g => g.ToList()).OrderBy(g => g[0]).ToList();
    }

    /// <summary>Jaccard is at most min/max of the set sizes: a cheap test that skips most pairs.</summary>
    public static bool CanReach(ulong[] a, ulong[] b, double threshold) =>
        Math.Min(a.Length, b.Length) >= threshold * Math.Max(a.Length, b.Length);

    private static ulong Hash(ReadOnlySpan<char> text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
