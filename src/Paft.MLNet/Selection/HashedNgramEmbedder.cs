using System.Text;

namespace Paft.MLNet.Selection;

/// <summary>
/// A deterministic embedder that needs no model: character n-grams of the lower-cased text (whitespace
/// runs collapsed) are hashed into a fixed number of buckets, weighted by TF-IDF (sub-linear term
/// frequency, smoothed inverse document frequency over a corpus) and L2-normalised. Templates sharing
/// wording and layout get nearby vectors. The hash is a fixed FNV-1a, so vectors are the same in every process.
/// </summary>
public sealed class HashedNgramEmbedder : ITemplateEmbedder
{
    /// <summary>The default number of hash buckets (embedding length).</summary>
    public const int DefaultDimension = 512;

    private readonly int _dimension;
    private readonly int _minN;
    private readonly int _maxN;
    private readonly double[] _idf;

    /// <summary>Creates an embedder.</summary>
    /// <param name="corpus">Texts the inverse document frequencies are counted over (typically the pool's
    /// templates); null or empty weights every bucket alike.</param>
    /// <param name="dimension">Number of hash buckets; default <see cref="DefaultDimension"/>.</param>
    /// <param name="minN">Shortest n-gram, default 3.</param>
    /// <param name="maxN">Longest n-gram, default 5.</param>
    public HashedNgramEmbedder(IEnumerable<string>? corpus = null, int dimension = DefaultDimension, int minN = 3, int maxN = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minN, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxN, minN);
        _dimension = dimension;
        _minN = minN;
        _maxN = maxN;
        _idf = new double[dimension];

        string[] documents = corpus?.ToArray() ?? [];
        var documentFrequency = new int[dimension];
        foreach (string document in documents)
            foreach (int bucket in BucketCounts(document).Keys)
                documentFrequency[bucket]++;
        for (int b = 0; b < dimension; b++)
            _idf[b] = Math.Log((1.0 + documents.Length) / (1.0 + documentFrequency[b])) + 1.0;
    }

    /// <inheritdoc />
    public float[] Embed(string templateText)
    {
        ArgumentNullException.ThrowIfNull(templateText);
        var vector = new double[_dimension];
        foreach ((int bucket, int count) in BucketCounts(templateText))
            vector[bucket] = (1 + Math.Log(count)) * _idf[bucket];
        double norm = Math.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => norm > 0 ? (float)(v / norm) : 0f).ToArray();
    }

    private Dictionary<int, int> BucketCounts(string text)
    {
        string normalized = Normalize(text);
        var counts = new Dictionary<int, int>();
        for (int n = _minN; n <= _maxN; n++)
        {
            for (int start = 0; start + n <= normalized.Length; start++)
            {
                int bucket = (int)(Fnv1a(normalized.AsSpan(start, n), n) % (ulong)_dimension);
                counts[bucket] = counts.GetValueOrDefault(bucket) + 1;
            }
        }
        return counts;
    }

    private static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
                builder.Append(' ');
            space = false;
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    /// <summary>FNV-1a over the characters, seeded with n so n-grams of different lengths land apart.</summary>
    private static ulong Fnv1a(ReadOnlySpan<char> text, int n)
    {
        ulong hash = 14695981039346656037UL ^ (ulong)n;
        foreach (char c in text)
            hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }
}
