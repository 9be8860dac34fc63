namespace Paft.MLNet.Selection;

/// <summary>
/// Exact Gaussian-process regression with a constant prior mean (the mean of the observations) and
/// Gaussian observation noise: K = k(X, X) + σₙ² I = L Lᵀ, α = K⁻¹(y − m), and at a point x with
/// k* = k(X, x): mean = m + k*ᵀ α, variance = k(x, x) − ‖L⁻¹ k*‖² (of the latent function, no noise).
/// </summary>
internal sealed class GaussianProcess
{
    private readonly CovarianceFunction _kernel;
    private readonly IReadOnlyList<double>[] _points;
    private readonly CholeskyFactor _factor;
    private readonly double[] _alpha;

    /// <summary>Conditions the process on <paramref name="values"/> observed at <paramref name="points"/>.</summary>
    public GaussianProcess(CovarianceFunction kernel, double noiseVariance,
        IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<double> values)
    {
        if (points.Count == 0 || points.Count != values.Count)
            throw new ArgumentException($"A Gaussian process needs one value per point and at least one point; got {points.Count} points and {values.Count} values.");
        if (!(noiseVariance >= 0))
            throw new ArgumentOutOfRangeException(nameof(noiseVariance), noiseVariance, "The noise variance must not be negative.");
        _kernel = kernel;
        _points = points.ToArray();
        PriorMean = values.Average();

        int n = _points.Length;
        var covariance = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
                covariance[i, j] = covariance[j, i] = kernel.Evaluate(_points[i], _points[j]);
            covariance[i, i] += noiseVariance;
        }
        _factor = CholeskyFactor.Decompose(covariance);
        _alpha = _factor.Solve(values.Select(v => v - PriorMean).ToArray());
    }

    /// <summary>The constant prior mean m.</summary>
    public double PriorMean { get; }

    /// <summary>The posterior mean and variance of the latent function at <paramref name="x"/>.</summary>
    public (double Mean, double Variance) Predict(IReadOnlyList<double> x)
    {
        var cross = new double[_points.Length];
        for (int i = 0; i < cross.Length; i++)
            cross[i] = _kernel.Evaluate(_points[i], x);
        double mean = PriorMean;
        for (int i = 0; i < cross.Length; i++)
            mean += cross[i] * _alpha[i];
        double[] v = _factor.SolveLower(cross);
        double variance = _kernel.Evaluate(x, x);
        foreach (double e in v)
            variance -= e * e;
        // Rounding can push the variance of an observed point slightly below zero.
        return (mean, Math.Max(variance, 0));
    }
}
