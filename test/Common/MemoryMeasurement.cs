namespace Paft.Tests.Common;

/// <summary>
/// The collection of tests that measure the managed heap. The heap is shared by every test class of the
/// process and xunit runs classes in parallel, so such tests join this collection, which xunit runs on
/// its own after the parallel ones: <c>[Collection(MemoryMeasurement.Name)]</c>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Memory measurement";
}
