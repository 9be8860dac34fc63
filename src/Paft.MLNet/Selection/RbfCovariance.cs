namespace Paft.MLNet.Selection;

/// <summary>σ² exp(−‖a − b‖² / 2ℓ²).</summary>
internal sealed class RbfCovariance(double lengthScale, double signalVariance) : CovarianceFunction
{
    public override double Evaluate(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        signalVariance * Math.Exp(-SquaredDistance(a, b) / (2 * lengthScale * lengthScale));
}
