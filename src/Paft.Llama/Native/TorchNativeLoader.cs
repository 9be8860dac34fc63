using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Paft.NativeFix;

namespace Paft.Llama.Native;

/// <summary>
/// Loads TorchSharp's native libraries before TorchSharp's own loader runs, so that loading does not depend
/// on how the process was built. An app built with Paft's MSBuild targets carries a patched
/// <c>libLibTorchSharp.so</c> in its output; F# interactive, notebooks and hosts that reference the
/// package otherwise do not, and TorchSharp's fallback copies the unpatched library from the NuGet cache
/// (which fails on Debian 12 and Ubuntu 22.04, see <see cref="GlibcxxRequirement"/>) or picks up a system
/// libtorch. Here libtorch is loaded by full path from beside TorchSharp's library or from its NuGet
/// package, then <c>libLibTorchSharp.so</c> — patched into a per-user cache
/// (<c>$XDG_CACHE_HOME/paft/torchsharp-native/&lt;hash&gt;/</c>) where the system libstdc++ is too old; the
/// NuGet cache is never written — and TorchSharp's P/Invokes are pointed at these handles.
/// </summary>
/// <remarks>Linux x64 only; elsewhere, and with <c>PAFT_NATIVE_LOADER=off</c>, it does nothing. It never
/// throws: when it cannot do its work, TorchSharp's own loader runs as before and reports its own error;
/// <see cref="Outcome"/> says what happened (<c>PAFT_NATIVE_LOADER=trace</c> prints it to stderr).</remarks>
internal static partial class TorchNativeLoader
{
    private static readonly object Gate = new();
    private static bool _attempted;
    private static IntPtr _libTorchSharp;
    private static IntPtr _torchCpu;

    /// <summary>What the last attempt did, for diagnostics and tests.</summary>
    public static string Outcome { get; private set; } = "not attempted";

    /// <summary>The <c>libLibTorchSharp.so</c> that was loaded, or null.</summary>
    public static string? LoadedLibTorchSharp { get; private set; }

    /// <summary>Runs when Paft.Llama is first used, before any of its code can reach TorchSharp.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The native library must be loaded before TorchSharp's static constructor runs its own loader.")]
    internal static void Initialize() => EnsureLoaded();

    /// <summary>Loads the native libraries once per process (later calls return at once).</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_attempted) return;
            _attempted = true;
            string? mode = Environment.GetEnvironmentVariable("PAFT_NATIVE_LOADER");
            try
            {
                Outcome = mode == "off" ? "disabled by PAFT_NATIVE_LOADER=off" : Load();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                                          or DllNotFoundException or BadImageFormatException or InvalidOperationException)
            {
                Outcome = $"left to TorchSharp's own loader: {e.Message}";
            }
            if (mode == "trace")
                Console.Error.WriteLine($"paft: native loader: {Outcome}");
        }
    }

    private static string Load()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "nothing to do on this platform";
        Assembly torchSharp = typeof(TorchSharp.torch).Assembly; // loads the assembly; runs none of its code
        string? library = FindLibTorchSharp(torchSharp, out string? packagesRoot);
        if (library is null)
            return "left to TorchSharp's own loader: no libLibTorchSharp.so beside TorchSharp.dll or in its NuGet package";
        string? libtorch = File.Exists(Path.Combine(Path.GetDirectoryName(library)!, "libtorch_cpu.so"))
            ? Path.GetDirectoryName(library)
            : FindLibTorchPackage(packagesRoot, torchSharp);
        if (libtorch is null)
            return $"left to TorchSharp's own loader: no libtorch_cpu.so beside '{library}' or in the libtorch-cpu-linux-x64 package";

        // libtorch first, by full path and in dependency order: libLibTorchSharp's NEEDED entries then bind
        // to these by soname, never to a libtorch elsewhere on the system.
        foreach (string name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            string path = Path.Combine(libtorch, name);
            if (!File.Exists(path)) continue;
            IntPtr handle = NativeLibrary.Load(path);
            if (name == "libtorch_cpu.so") _torchCpu = handle;
        }
        string toLoad = PatchedCopyIfNeeded(library);
        _libTorchSharp = NativeLibrary.Load(toLoad);
        LoadedLibTorchSharp = toLoad;
        NativeLibrary.SetDllImportResolver(torchSharp, Resolve);
        return $"loaded '{toLoad}' with libtorch from '{libtorch}'";
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) => name switch
    {
        "LibTorchSharp" or "libLibTorchSharp" or "libLibTorchSharp.so" => _libTorchSharp,
        "torch_cpu" or "libtorch_cpu" or "libtorch_cpu.so" => _torchCpu,
        _ => IntPtr.Zero, // anything else: the runtime's ordinary search
    };

    /// <summary>
    /// <paramref name="library"/> itself where it loads as it is (new enough libstdc++, or already patched
    /// by the build); otherwise a patched copy in the per-user cache, written once (temp + rename).
    /// </summary>
    internal static string PatchedCopyIfNeeded(string library, string? cacheRoot = null)
    {
        if (GlibcxxRequirement.SystemProvides(out _))
            return library;
        byte[] elf = File.ReadAllBytes(library);
        if (!GlibcxxRequirement.MakeWeak(elf))
            return library;
        string hash = Convert.ToHexString(SHA256.HashData(elf))[..16].ToLowerInvariant();
        string folder = Path.Combine(cacheRoot ?? CacheRoot(), hash);
        string target = Path.Combine(folder, Path.GetFileName(library));
        if (File.Exists(target) && new FileInfo(target).Length == elf.Length)
            return target;
        AtomicFile.Write(target, elf); // atomic: another process may be doing the same
        return target;
    }

    private static string CacheRoot()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "paft", "torchsharp-native");
    }

    /// <summary>Beside TorchSharp.dll (an app's output), else in TorchSharp's NuGet package.</summary>
    private static string? FindLibTorchSharp(Assembly torchSharp, out string? packagesRoot)
    {
        packagesRoot = null;
        string dir = Path.GetDirectoryName(torchSharp.Location) ?? "";
        foreach (string d in new[] { dir, AppContext.BaseDirectory })
        {
            if (d.Length == 0) continue;
            foreach (string candidate in new[] { Path.Combine(d, "libLibTorchSharp.so"), Path.Combine(d, "runtimes", "linux-x64", "native", "libLibTorchSharp.so") })
                if (File.Exists(candidate)) return candidate;
        }

        // In the NuGet cache: <root>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll (F# interactive, notebooks).
        string? packageDir = null;
        var lib = new DirectoryInfo(dir).Parent;
        if (lib is { Name: "lib", Parent: { Parent: { Parent: not null } idDir } versionDir } && idDir.Name.Equals("torchsharp", StringComparison.OrdinalIgnoreCase))
        {
            packageDir = versionDir.FullName;
            packagesRoot = idDir.Parent.FullName;
        }
        else
        {
            string? nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            packagesRoot = !string.IsNullOrEmpty(nuget) ? nuget : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string? version = torchSharp.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
            if (version is not null) packageDir = Path.Combine(packagesRoot, "torchsharp", version);
        }
        string? inPackage = packageDir is null ? null : Path.Combine(packageDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return inPackage is not null && File.Exists(inPackage) ? inPackage : null;
    }

    /// <summary>libtorch-cpu-linux-x64 at the version TorchSharp-cpu names, in the same NuGet folder.</summary>
    private static string? FindLibTorchPackage(string? packagesRoot, Assembly torchSharp)
    {
        if (packagesRoot is null) return null;
        string root = Path.Combine(packagesRoot, "libtorch-cpu-linux-x64");
        if (!Directory.Exists(root)) return null;
        string? version = null;
        string? tsVersion = torchSharp.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        string nuspec = Path.Combine(packagesRoot, "torchsharp-cpu", tsVersion ?? "", "torchsharp-cpu.nuspec");
        if (tsVersion is not null && File.Exists(nuspec))
        {
            Match m = LibTorchDependency().Match(File.ReadAllText(nuspec));
            if (m.Success) version = m.Groups[1].Value;
        }
        string[] versions = Directory.GetDirectories(root);
        string? folder = version is not null && Directory.Exists(Path.Combine(root, version)) ? Path.Combine(root, version)
            : versions.Length == 1 ? versions[0] : null;
        string? native = folder is null ? null : Path.Combine(folder, "runtimes", "linux-x64", "native");
        return native is not null && File.Exists(Path.Combine(native, "libtorch_cpu.so")) ? native : null;
    }

    [GeneratedRegex("<dependency id=\"libtorch-cpu\" version=\"([^\"]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex LibTorchDependency();
}
