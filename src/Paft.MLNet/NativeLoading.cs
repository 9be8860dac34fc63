using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Paft.Llama.Modeling;

namespace Paft.MLNet;

/// <summary>
/// Loads TorchSharp's native libraries the environment-independent way (Paft.Llama's native loader)
/// as soon as Paft.MLNet is used, since some of its code calls TorchSharp before any of Paft.Llama's.
/// Running Paft.Llama's module initializer does it through public API: the loader is internal to Paft.Llama.
/// </summary>
internal static class NativeLoading
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The native library must be loaded before TorchSharp's static constructor runs its own loader.")]
    internal static void Initialize() =>
        RuntimeHelpers.RunModuleConstructor(typeof(LlamaConfig).Module.ModuleHandle);
}
