using Paft.MLNet.Selection;

namespace Paft.MLNet.Tests.Selection;

public class GaussianProcessTests
{
    private static double Rbf(double a, double b, double lengthScale, double signal) =>
        signal * Math.Exp(-(a - b) * (a - b) / (2 * lengthScale * lengthScale));

    [Fact]
    public void TwoPointPosteriorMatchesExplicitInverse()
    {
        double[] x = [0.0, 1.0];
        double[] y = [0.2, 0.6];
        const double ell = 0.7, signal = 0.5, noise = 0.01;
        var process = new GaussianProcess(new RbfCovariance(ell, signal), noise, x.Select(v => (IReadOnlyList<double>)new[] { v }).ToArray(), y);

        // K + noise I = [[a, b], [b, a]]; its inverse is [[a, -b], [-b, a]] / (a² - b²).
        double a = signal + noise, b = Rbf(0, 1, ell, signal);
        double det = a * a - b * b;
        double m = (y[0] + y[1]) / 2;
        foreach (double at in new[] { -0.5, 0.0, 0.4, 2.0 })
        {
            double k0 = Rbf(x[0], at, ell, signal), k1 = Rbf(x[1], at, ell, signal);
            double w0 = (a * k0 - b * k1) / det, w1 = (-b * k0 + a * k1) / det;   // K⁻¹ k*
            double mean = m + w0 * (y[0] - m) + w1 * (y[1] - m);
            double variance = signal - (k0 * w0 + k1 * w1);

            (double gotMean, double gotVariance) = process.Predict([at]);
            Assert.Equal(mean, gotMean, 12);
            Assert.Equal(variance, gotVariance, 12);
        }
    }

    [Fact]
    public void ThreePointPosteriorMatchesCofactorInverse()
    {
        double[] x = [0.0, 0.5, 2.0];
        double[] y = [0.3, 0.8, 0.1];
        const double ell = 0.9, signal = 0.2, noise = 0.003;
        var process = new GaussianProcess(new RbfCovariance(ell, signal), noise, x.Select(v => (IReadOnlyList<double>)new[] { v }).ToArray(), y);

        var k = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                k[i, j] = Rbf(x[i], x[j], ell, signal) + (i == j ? noise : 0);
        double[,] inverse = Invert3(k);
        double m = y.Average();

        foreach (double at in new[] { 0.25, 1.0, 3.0 })
        {
            double[] star = x.Select(xi => Rbf(xi, at, ell, signal)).ToArray();
            double mean = m, quadratic = 0;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    mean += star[i] * inverse[i, j] * (y[j] - m);
                    quadratic += star[i] * inverse[i, j] * star[j];
                }
            (double gotMean, double gotVariance) = process.Predict([at]);
            Assert.Equal(mean, gotMean, 10);
            Assert.Equal(signal - quadratic, gotVariance, 10);
        }
    }

    [Fact]
    public void ObservedPointIsNearlyCertainAndFarPointFallsBackToPrior()
    {
        var process = new GaussianProcess(new RbfCovariance(0.5, 0.1), 1e-6, [new[] { 0.0 }, new[] { 1.0 }], [0.4, 0.9]);
        (double atObserved, double varianceObserved) = process.Predict([1.0]);
        Assert.Equal(0.9, atObserved, 4);
        Assert.True(varianceObserved < 1e-5);
        (double far, double varianceFar) = process.Predict([50.0]);
        Assert.Equal(0.65, far, 9);          // the prior mean: mean of the observations
        Assert.Equal(0.1, varianceFar, 9);   // the prior variance
    }

    [Fact]
    public void NeuralTangentKernelIsOneOnUnitVectorsAndMatchesClosedFormAtRightAngle()
    {
        var ntk = new NeuralTangentCovariance(1.0);
        Assert.Equal(1.0, ntk.Evaluate([0.6, 0.8], [0.6, 0.8]), 12);
        // u = 0: κ₀ = 1/2, κ₁ = 1/π, so Θ = (1/π + 0) / 2.
        Assert.Equal(1 / (2 * Math.PI), ntk.Evaluate([1.0, 0.0], [0.0, 1.0]), 12);
        // u = -1: κ₀ = 0, κ₁ = 0.
        Assert.Equal(0.0, ntk.Evaluate([1.0, 0.0], [-1.0, 0.0]), 12);
    }

    [Fact]
    public void CholeskyRejectsMatrixThatIsNotPositiveDefinite()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CholeskyFactor.Decompose(new double[,] { { 1, 2 }, { 2, 1 } }));
        Assert.Contains("pivot 1", error.Message);
    }

    private static double[,] Invert3(double[,] a)
    {
        double det = a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1])
                   - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
                   + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
        var inverse = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                // Cofactor of a[j, i] (the adjugate is the transposed cofactor matrix).
                int r0 = j == 0 ? 1 : 0, r1 = j == 2 ? 1 : 2;
                int c0 = i == 0 ? 1 : 0, c1 = i == 2 ? 1 : 2;
                double minor = a[r0, c0] * a[r1, c1] - a[r0, c1] * a[r1, c0];
                inverse[i, j] = ((i + j) % 2 == 0 ? 1 : -1) * minor / det;
            }
        return inverse;
    }
}
