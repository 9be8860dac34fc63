namespace Paft.MLNet.Augmentation;

/// <summary>
/// Assigns a template to every row position of every epoch. Rows <c>[gK, gK+K)</c> form group g and share
/// one template; the draw for (seed, epoch, group) is a counter-based hash, so any row's template is known
/// without drawing the rows before it. That keeps the transform lazy, in constant memory, and identical
/// across cursors, whatever order the rows are visited in.
/// </summary>
internal sealed class TemplateSampler
{
    private readonly int _templateCount;
    private readonly double[]? _cumulative; // null for uniform draws

    public TemplateSampler(int templateCount, int rowsPerDraw, int seed, IReadOnlyList<double>? weights)
    {
        if (templateCount < 1)
            throw new ArgumentOutOfRangeException(nameof(templateCount), "At least one template is needed.");
        if (rowsPerDraw < 1)
            throw new ArgumentOutOfRangeException(nameof(rowsPerDraw), rowsPerDraw, "RowsPerDraw (rows that share one template draw) must be at least 1.");
        _templateCount = templateCount;
        RowsPerDraw = rowsPerDraw;
        Seed = seed;
        if (weights is not null)
            _cumulative = Cumulative(weights, templateCount);
    }

    public int RowsPerDraw { get; }

    public int Seed { get; }

    /// <summary>The index of the template of the row at <paramref name="position"/> in <paramref name="epoch"/>.</summary>
    public int TemplateIndex(int epoch, long position)
    {
        if (position < 0) position = 0;
        ulong bits = Hash(Seed, epoch, position / RowsPerDraw);
        if (_cumulative is null)
            return (int)Math.BigMul(bits, (ulong)_templateCount, out _); // Lemire: unbiased enough, no modulo
        double u = (bits >> 11) * (1.0 / (1UL << 53)) * _cumulative[^1];
        int index = Array.BinarySearch(_cumulative, u);
        index = index < 0 ? ~index : index + 1; // first cumulative weight strictly above u
        return Math.Min(index, _templateCount - 1);
    }

    private static double[] Cumulative(IReadOnlyList<double> weights, int templateCount)
    {
        if (weights.Count != templateCount)
            throw new ArgumentException(
                $"There are {templateCount} templates but {weights.Count} weights; give one weight per template.", nameof(weights));
        var cumulative = new double[templateCount];
        double sum = 0;
        for (int i = 0; i < templateCount; i++)
        {
            double w = weights[i];
            if (!double.IsFinite(w) || w < 0)
                throw new ArgumentException($"Template weight {i} is {w}; weights must be finite and non-negative.", nameof(weights));
            sum += w;
            cumulative[i] = sum;
        }
        if (sum <= 0)
            throw new ArgumentException("All template weights are zero; at least one must be positive.", nameof(weights));
        return cumulative;
    }

    private static ulong Hash(int seed, int epoch, long group) =>
        SplitMix((SplitMix(SplitMix((ulong)(uint)seed) ^ (ulong)(uint)epoch)) ^ (ulong)group);

    // SplitMix64's finaliser: a bijection with good avalanche, enough to turn counters into uniform bits.
    private static ulong SplitMix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
