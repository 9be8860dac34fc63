using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Paft.Llama.Native;

namespace Paft.MLNet;

/// <summary>
/// Loads TorchSharp's native libraries the environment-independent way (<see cref="TorchNativeLoader"/>)
/// as soon as Paft.MLNet is used, since some of its code calls TorchSharp before any of Paft.Llama's.
/// </summary>
internal static class NativeLoading
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The native library must be loaded before TorchSharp's static constructor runs its own loader.")]
    internal static void Initialize() => TorchNativeLoader.EnsureLoaded();
}
