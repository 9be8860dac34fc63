namespace Paft.MLNet.Selection;

/// <summary>
/// The infinite-width NTK of f(x) = Σ vᵢ relu(wᵢ·x) with both layers trained (Jacot et al. 2018; the
/// arc-cosine kernels of Cho and Saul 2009): with u the cosine of the angle between a and b,
/// Θ(a, b) = ‖a‖‖b‖ (κ₁(u) + u κ₀(u)) / 2, κ₀(u) = (π − arccos u)/π, κ₁(u) = (u(π − arccos u) + √(1 − u²))/π.
/// The factor ½ makes Θ(x, x) = ‖x‖², i.e. 1 on L2-normalised embeddings, before scaling by σ².
/// </summary>
internal sealed class NeuralTangentCovariance(double signalVariance) : CovarianceFunction
{
    public override double Evaluate(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
            throw new ArgumentException($"Embeddings of different sizes: {a.Count} and {b.Count}.");
        double dot = 0, normA = 0, normB = 0;
        for (int i = 0; i < a.Count; i++)
        {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        double norms = Math.Sqrt(normA * normB);
        if (norms == 0)
            return 0;
        double u = Math.Clamp(dot / norms, -1, 1);
        double angle = Math.Acos(u);
        double kappa0 = (Math.PI - angle) / Math.PI;
        double kappa1 = (u * (Math.PI - angle) + Math.Sqrt(1 - u * u)) / Math.PI;
        return signalVariance * norms * (kappa1 + u * kappa0) / 2;
    }
}
