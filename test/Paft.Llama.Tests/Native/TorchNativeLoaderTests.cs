using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Paft.Llama.Native;
using Paft.NativeFix;

namespace Paft.Llama.Tests.Native;

public class TorchNativeLoaderTests
{
    internal static string NuGetLibTorchSharp()
    {
        string? nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        string root = !string.IsNullOrEmpty(nuget) ? nuget : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3);
        return Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    [LinuxX64Fact]
    public void ThisProcessLoadedTorchSharpsLibraryThroughThePaftLoader()
    {
        TorchNativeLoader.EnsureLoaded();
        Assert.StartsWith("loaded", TorchNativeLoader.Outcome);
        Assert.NotNull(TorchNativeLoader.LoadedLibTorchSharp);
        // TorchSharp then works through the libraries the loader loaded.
        using var sum = TorchSharp.torch.ones(3).sum();
        Assert.Equal(3f, sum.item<float>());
    }

    [LinuxX64Fact(NeedsNuGetLibrary = true)]
    public void TheNuGetCopyIsNeverWrittenAndThePatchedCopyLoadsWhereLibStdCxxIsOld()
    {
        string library = NuGetLibTorchSharp();
        byte[] before = SHA256.HashData(File.ReadAllBytes(library));
        using var cache = new TempFolder();

        string chosen = TorchNativeLoader.PatchedCopyIfNeeded(library, cache.Path);
        string again = TorchNativeLoader.PatchedCopyIfNeeded(library, cache.Path);

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(library)));
        Assert.Equal(chosen, again);
        if (GlibcxxRequirement.SystemProvides(out _))
        {
            Assert.Equal(library, chosen); // a no-op where libstdc++ is new enough
            Assert.Empty(Directory.GetFileSystemEntries(cache.Path));
            return;
        }
        Assert.StartsWith(cache.Path, chosen);
        byte[] original = File.ReadAllBytes(library), patched = File.ReadAllBytes(chosen);
        Assert.Equal(original.Length, patched.Length);
        Assert.Equal(1, original.Zip(patched).Count(p => p.First != p.Second)); // one byte: the flags' VER_FLG_WEAK bit
        Assert.False(GlibcxxRequirement.MakeWeak(patched)); // already weak
        Assert.True(GlibcxxRequirement.MakeWeak(original));  // the original was not
    }
}

/// <summary>A fact for the Linux x64 loader; skipped with the reason elsewhere or without TorchSharp's NuGet package.</summary>
internal sealed class LinuxX64FactAttribute : FactAttribute
{
    public LinuxX64FactAttribute()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            Skip = "the native loader works on Linux x64 only";
    }

    /// <summary>Skip also where TorchSharp's NuGet package is not in the NuGet cache.</summary>
    public bool NeedsNuGetLibrary
    {
        get => false;
        init
        {
            if (value && Skip is null && !File.Exists(TorchNativeLoaderTests.NuGetLibTorchSharp()))
                Skip = $"needs TorchSharp's library at '{TorchNativeLoaderTests.NuGetLibTorchSharp()}'";
        }
    }
}
