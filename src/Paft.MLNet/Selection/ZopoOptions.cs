namespace Paft.MLNet.Selection;

/// <summary>Settings of the ZOPO-style template search.</summary>
public sealed class ZopoOptions
{
    /// <summary>How many templates may be evaluated (capped at the pool size). Default 20.</summary>
    public int Budget { get; init; } = 20;

    /// <summary>Random templates evaluated before the Gaussian process guides the search. Default 4.</summary>
    public int InitialSamples { get; init; } = 4;

    /// <summary>The Gaussian process's kernel. Default <see cref="ZopoKernel.Rbf"/>.</summary>
    public ZopoKernel Kernel { get; init; } = ZopoKernel.Rbf;

    /// <summary>The RBF length scale ℓ; null (default) uses the median distance between the pool's embeddings.</summary>
    public double? LengthScale { get; init; }

    /// <summary>The prior variance σ² of accuracy; null (default) uses the variance of the accuracies observed so far (at least 1e-4).</summary>
    public double? SignalVariance { get; init; }

    /// <summary>Observation noise variance σₙ² (validation accuracy on a finite sample is noisy). Default 1e-3.</summary>
    public double NoiseVariance { get; init; } = 1e-3;

    /// <summary>The exploration weight β of the acquisition mean + β·std. Default 2.</summary>
    public double Beta { get; init; } = 2.0;

    /// <summary>How many nearest unevaluated templates around the current best are candidates for the next step. Default 8.</summary>
    public int NeighbourCount { get; init; } = 8;

    /// <summary>
    /// When the mean posterior standard deviation over the candidates exceeds this share of the prior
    /// standard deviation, the search explores (takes the most uncertain candidate) instead of exploiting. Default 0.3
    /// (chosen on synthetic landscapes: lower explores too much, higher almost never).
    /// </summary>
    public double ExploreStdRatio { get; init; } = 0.3;

    /// <summary>Consecutive steps without improving the local best after which the search restarts at a random template. Default 4.</summary>
    public int Patience { get; init; } = 4;

    /// <summary>Seed of the initial picks and restarts. Default 0.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        if (Budget < 1)
            throw new ArgumentOutOfRangeException(nameof(Budget), Budget, "The budget must be at least 1.");
        if (InitialSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(InitialSamples), InitialSamples, "At least one initial sample is needed.");
        if (LengthScale is { } l && !(l > 0))
            throw new ArgumentOutOfRangeException(nameof(LengthScale), l, "The length scale must be positive.");
        if (SignalVariance is { } s && !(s > 0))
            throw new ArgumentOutOfRangeException(nameof(SignalVariance), s, "The signal variance must be positive.");
        if (!(NoiseVariance > 0))
            throw new ArgumentOutOfRangeException(nameof(NoiseVariance), NoiseVariance, "The noise variance must be positive.");
        if (!(Beta >= 0))
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta must not be negative.");
        if (NeighbourCount < 1)
            throw new ArgumentOutOfRangeException(nameof(NeighbourCount), NeighbourCount, "At least one neighbour is needed.");
        if (!(ExploreStdRatio >= 0))
            throw new ArgumentOutOfRangeException(nameof(ExploreStdRatio), ExploreStdRatio, "The explore threshold must not be negative.");
        if (Patience < 1)
            throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "Patience must be at least 1.");
    }
}
