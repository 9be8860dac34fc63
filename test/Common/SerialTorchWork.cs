namespace Paft.Tests.Common;

/// <summary>
/// Tests that run thousands of small libtorch calls (whole demo and sweep runs, the GC stress test), run
/// alone after the parallel tests so that their timing and CPU load are their own:
/// <c>[Collection(SerialTorchWork.Name)]</c>. It is no longer needed for correctness: TorchSharp frees the
/// Scalars it makes inside a call only in finalizers, but the model, LoRA, loss, scorer, generator and
/// training code no longer call any TorchSharp method that makes one (explicit alphas, held Scalars, own
/// AdamW step; see Paft.Llama's HeldScalars), and GcStressTests trains and evaluates on several threads
/// under forced collections to show it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchWork
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Serial torch work";
}
