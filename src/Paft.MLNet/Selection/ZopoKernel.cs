namespace Paft.MLNet.Selection;

/// <summary>The covariance function of the Gaussian process over template embeddings.</summary>
public enum ZopoKernel
{
    /// <summary>Squared exponential: σ² exp(−‖x − x′‖² / 2ℓ²).</summary>
    Rbf = 0,

    /// <summary>
    /// The neural tangent kernel of an infinitely wide one-hidden-layer ReLU network (closed form), scaled
    /// by σ². ZOPO uses the empirical NTK of a finite network; this is the analytic limit, with no length scale.
    /// </summary>
    NeuralTangent = 1,
}
