using TorchSharp;

namespace Paft.Llama.Modules;

/// <summary>
/// Scalars that outlive every call they are passed to. TorchSharp turns a number given to a tensor op
/// (<c>x + 1e-5</c>, <c>masked_fill(m, 0)</c>) into a <see cref="Scalar"/> that nothing disposes, and makes
/// such Scalars itself inside some calls: the implicit alpha 1 of <c>Tensor + Tensor</c>, <c>add(Tensor)</c>,
/// <c>add_(Tensor)</c> and <c>Tensor + Scalar</c>, the 2 of <c>square()</c>, the step of
/// <c>arange(start, stop)</c>, every hyperparameter of <c>optim.AdamW.step()</c>. Only a finalizer frees
/// them, and a collection on another thread can run it while libtorch still reads the value ("Unknown
/// scalar type", a failed <c>Scalar::toFloat</c> check). The project's TorchSharp calls therefore take
/// these constants (<c>a.add(b, HeldScalars.One)</c>, <c>pow(HeldScalars.Two)</c>), or a <c>using</c> local
/// from <see cref="ScalarExtensionMethods.ToScalar(double)"/> for a value known only at run time, and
/// training uses its own AdamW step (Training/AdamWOptimizer). Guaranteed by review of every TorchSharp call
/// in the model, LoRA, loss, scorer, generator and trainer, and shown by the GC stress test
/// (test/Paft.MLNet.Tests/Stress).
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
