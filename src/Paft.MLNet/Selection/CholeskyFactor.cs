namespace Paft.MLNet.Selection;

/// <summary>
/// The Cholesky factor L of a symmetric positive-definite matrix A = L Lᵀ, in double precision, with the
/// triangular solves a Gaussian process needs. The matrices are small (one row per evaluated template),
/// so the plain O(n³) algorithm is the right one.
/// </summary>
internal sealed class CholeskyFactor
{
    private readonly double[,] _lower;

    private CholeskyFactor(double[,] lower) => _lower = lower;

    /// <summary>The size n of the n×n matrix.</summary>
    public int Size => _lower.GetLength(0);

    /// <summary>Factors <paramref name="matrix"/>; only its lower triangle is read.</summary>
    /// <exception cref="ArgumentException">The matrix is not square.</exception>
    /// <exception cref="InvalidOperationException">The matrix is not positive definite (the message names the pivot).</exception>
    public static CholeskyFactor Decompose(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n)
            throw new ArgumentException($"Cholesky needs a square matrix; got {n}×{matrix.GetLength(1)}.", nameof(matrix));
        var lower = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            double diagonal = matrix[j, j];
            for (int k = 0; k < j; k++)
                diagonal -= lower[j, k] * lower[j, k];
            if (!(diagonal > 0))
                throw new InvalidOperationException(
                    $"The matrix is not positive definite: pivot {j} is {diagonal:G6}. Increase the noise variance.");
            lower[j, j] = Math.Sqrt(diagonal);
            for (int i = j + 1; i < n; i++)
            {
                double sum = matrix[i, j];
                for (int k = 0; k < j; k++)
                    sum -= lower[i, k] * lower[j, k];
                lower[i, j] = sum / lower[j, j];
            }
        }
        return new CholeskyFactor(lower);
    }

    /// <summary>Solves L y = b (forward substitution).</summary>
    public double[] SolveLower(IReadOnlyList<double> b)
    {
        CheckLength(b);
        int n = Size;
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
                sum -= _lower[i, k] * y[k];
            y[i] = sum / _lower[i, i];
        }
        return y;
    }

    /// <summary>Solves Lᵀ x = y (back substitution).</summary>
    public double[] SolveUpper(IReadOnlyList<double> y)
    {
        CheckLength(y);
        int n = Size;
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < n; k++)
                sum -= _lower[k, i] * x[k];
            x[i] = sum / _lower[i, i];
        }
        return x;
    }

    /// <summary>Solves A x = b.</summary>
    public double[] Solve(IReadOnlyList<double> b) => SolveUpper(SolveLower(b));

    private void CheckLength(IReadOnlyList<double> vector)
    {
        if (vector.Count != Size)
            throw new ArgumentException($"The right-hand side has {vector.Count} entries; the matrix is {Size}×{Size}.");
    }
}
