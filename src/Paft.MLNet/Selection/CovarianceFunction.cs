namespace Paft.MLNet.Selection;

/// <summary>A kernel k(x, x′) between two embeddings.</summary>
internal abstract class CovarianceFunction
{
    public abstract double Evaluate(IReadOnlyList<double> a, IReadOnlyList<double> b);

    public static CovarianceFunction Create(ZopoKernel kind, double lengthScale, double signalVariance) => kind switch
    {
        ZopoKernel.Rbf => new RbfCovariance(lengthScale, signalVariance),
        ZopoKernel.NeuralTangent => new NeuralTangentCovariance(signalVariance),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kernel."),
    };

    internal static double SquaredDistance(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
            throw new ArgumentException($"Embeddings of different sizes: {a.Count} and {b.Count}.");
        double sum = 0;
        for (int i = 0; i < a.Count; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}
