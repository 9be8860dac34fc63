namespace Paft.Tests.Common;

/// <summary>
/// Tests that run thousands of small libtorch calls (whole demo and sweep runs, token-by-token generation).
/// TorchSharp frees the Scalars it makes internally (the implicit alpha of <c>a + b</c>, for one) only in
/// finalizers, and a garbage collection started by another thread can run one while libtorch still reads it
/// (a rare <c>Scalar::toFloat</c> / "Unknown scalar type" error; Paft.Llama holds the Scalars it passes
/// itself, but not TorchSharp's own). Run alone, after the parallel tests, no other thread allocates
/// enough to start that collection: <c>[Collection(SerialTorchWork.Name)]</c>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchWork
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Serial torch work";
}
