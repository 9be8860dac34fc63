using Paft.Stress;

namespace Paft.MLNet.Tests.Stress;

/// <summary>
/// Training and evaluation survive garbage collections forced by another thread (issue 13, item 1):
/// TorchSharp frees the Scalars it makes inside a call only in finalizers, so every hot-path call must
/// take Scalars the project holds. Run alone, after the parallel tests, so that its threads and its
/// collecting thread are the only load and it stays short.
/// </summary>
[Collection(SerialTorchWork.Name)]
public class GcStressTests
{
    [Fact]
    public void FitAndEvaluateOnThreeThreadsFinishWhileAnotherThreadForcesCollections()
    {
        using var folder = new TempFolder();
        GcStressHarness.WriteTinyModel(folder.Path);

        GcStressResult result = GcStressHarness.Run(folder.Path, threads: 3, fitsPerThread: 1, rowsPerFit: 16);

        Assert.True(result.Failures.Count == 0,
            $"{result.Failures.Count} of 3 threads failed under forced collections: " +
            string.Join(" | ", result.Failures.Select(e => e.GetType().Name + ": " + e.Message.Split('\n')[0])));
        Assert.Equal(3, result.Fits);
        Assert.Equal(3, result.Evaluations);
        Assert.True(result.Collections > 0, "the collecting thread never completed a collection");
    }
}
