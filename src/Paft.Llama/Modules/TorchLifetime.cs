using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Modules;

// How the project keeps TorchSharp's native objects alive exactly as long as they are used, in one place.
//
// Tensors: every op result is made inside the caller's dispose scope (`using var scope = NewDisposeScope()`
// at the top of a method) and the one result that leaves the method is `MoveToOuterDisposeScope()`d, so
// intermediates are freed when the method returns rather than by the garbage collector. A tensor that a
// long-lived object owns (a KV cache buffer, a saved RNG state) is taken out of every scope with
// TorchLifetime.Owned and freed by its owner's Dispose.
//
// Scalars: see HeldScalars.

/// <summary>Tensors owned by long-lived objects rather than by a dispose scope.</summary>
internal static class TorchLifetime
{
    /// <summary>
    /// Takes <paramref name="tensor"/> out of every dispose scope: it lives until its owner disposes it
    /// (a cache buffer made during a forward must outlive that forward's scope).
    /// </summary>
    public static Tensor Owned(Tensor tensor) => tensor.DetachFromDisposeScope();
}

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
}
