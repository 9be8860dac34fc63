using TorchSharp;

namespace Paft.Llama.Modules;

/// <summary>
/// Scalars that outlive every call they are passed to. TorchSharp turns a number given to a tensor op
/// (<c>x + 1e-5</c>, <c>masked_fill(m, 0)</c>) into a <see cref="Scalar"/> that nothing disposes; its
/// finalizer frees the native value, and a collection on another thread can run it while libtorch still
/// reads it — seen here as rare "Expected false to be true" failures from <c>Scalar::toFloat</c> when
/// tests generate in parallel. Hot paths therefore pass these constants, or a <c>using</c> local from
/// <see cref="ScalarExtensionMethods.ToScalar(double)"/> for a value known only at run time.
/// </summary>
internal static class HeldScalars
{
    /// <summary>0.</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>1.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>2, the exponent of a square (<c>Tensor.square()</c> makes its own, unheld).</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary>-∞, the additive mask of a position that may not be attended.</summary>
    public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();
}
