// One implementation, two users: MSBuild's RoslynCodeTaskFactory compiles this whole file into the
// PatchTorchSharpNative task (see TorchSharpNativeFix.targets), which patches the build output; Paft.Llama
// compiles only the Paft.NativeFix.GlibcxxRequirement part (PAFT_NATIVE_RUNTIME is defined there) for its
// run-time loader (src/Paft.Llama/Native/TorchNativeLoader.cs), which patches a per-user cached copy when
// the process was not built with the targets (F# interactive, notebooks, other hosts).
//
// Why: libLibTorchSharp.so in TorchSharp 0.107 asks for GLIBCXX_3.4.32 (GCC 13's libstdc++) for one
// symbol, std::ios_base_library_init(), that it lists but never binds (no relocation refers to it).
// Debian 12 and Ubuntu 22.04 stop at GLIBCXX_3.4.30, so the dynamic loader refuses the library and
// the first torch call throws. Marking that version requirement weak (VER_FLG_WEAK in vna_flags of
// .gnu.version_r) turns the refusal into a warning. The patch is applied to the copy in the build
// output only, through a temporary file and a rename, so a hard-linked NuGet cache file is never
// written. Where the system libstdc++ already provides the version, nothing is done.
#nullable enable
using System;
using System.IO;
using System.Text;
#if !PAFT_NATIVE_RUNTIME
using System.Runtime.InteropServices;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace Paft.NativeFix
{
    /// <summary>
    /// The GLIBCXX_3.4.32 requirement of TorchSharp's native library, and the two-byte write
    /// (VER_FLG_WEAK in the vna_flags of its .gnu.version_r entry) that turns it into a warning.
    /// </summary>
    internal static class GlibcxxRequirement
    {
        /// <summary>The version requirement TorchSharp 0.107's libLibTorchSharp.so has but never binds.</summary>
        public const string Version = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>
        /// Sets VER_FLG_WEAK on <paramref name="version"/>'s version need in <paramref name="elf"/> (the bytes
        /// of an ELF64 little-endian file). False when the file has no such requirement or it is already weak.
        /// </summary>
        /// <exception cref="InvalidDataException">The bytes are not such an ELF file, or it is truncated.</exception>
        public static bool MakeWeak(byte[] elf, string version = Version)
        {
            int? flagsOffset = FindVernauxFlagsOffset(elf, version);
            if (flagsOffset is null)
                return false;
            ushort flags = BitConverter.ToUInt16(elf, flagsOffset.Value);
            if ((flags & VerFlagWeak) != 0)
                return false;
            BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, flagsOffset.Value);
            return true;
        }

        /// <summary>The system's libstdc++.so.6, or null.</summary>
        public static string? FindSystemLibStdCxx()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            foreach (string c in candidates)
                if (File.Exists(c)) return c;
            return null;
        }

        /// <summary>Whether the system libstdc++ provides <paramref name="version"/> (then nothing needs a patch).</summary>
        public static bool SystemProvides(out string? systemLib, string version = Version)
        {
            systemLib = FindSystemLibStdCxx();
            return systemLib != null && FileContains(systemLib, version);
        }

        /// <summary>Walks the ELF64 section headers to the vna_flags field of the named version need.</summary>
        private static int? FindVernauxFlagsOffset(byte[] elf, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("not a little-endian 64-bit ELF file");

            long shoff = BitConverter.ToInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            if (shoff <= 0 || shoff + (long)shentsize * shnum > elf.Length)
                throw new InvalidDataException("section header table lies outside the file (truncated?)");

            for (int i = 0; i < shnum; i++)
            {
                int sh = checked((int)(shoff + (long)i * shentsize));
                if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed)
                    continue;
                long offset = BitConverter.ToInt64(elf, sh + 0x18);
                int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
                int count = (int)BitConverter.ToUInt32(elf, sh + 0x2C);
                long strtab = BitConverter.ToInt64(elf, checked((int)(shoff + (long)link * shentsize)) + 0x18);

                long need = offset;
                for (int n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                    long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        uint name = BitConverter.ToUInt32(elf, (int)aux + 8);
                        if (ReadCString(elf, strtab + name) == version)
                            return (int)aux + 4;
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    need += BitConverter.ToUInt32(elf, (int)need + 12);
                }
            }
            return null;
        }

        private static string ReadCString(byte[] bytes, long start)
        {
            int end = (int)start;
            while (end < bytes.Length && bytes[end] != 0) end++;
            return Encoding.ASCII.GetString(bytes, (int)start, end - (int)start);
        }

        private static bool FileContains(string path, string text)
        {
            byte[] needle = Encoding.ASCII.GetBytes(text + "\0");
            byte[] haystack = File.ReadAllBytes(path);
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }
    }
}

#if !PAFT_NATIVE_RUNTIME
public sealed class PatchTorchSharpNative : Task
{
    /// <summary>The copies of libLibTorchSharp.so to patch.</summary>
    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version requirement to make weak.</summary>
    public string Version { get; set; } = Paft.NativeFix.GlibcxxRequirement.Version;

    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || Libraries.Length == 0)
            return true;

        if (Paft.NativeFix.GlibcxxRequirement.SystemProvides(out string? systemLib, Version))
        {
            Log.LogMessage(MessageImportance.Low, $"{systemLib} provides {Version}; TorchSharp needs no fix.");
            return true;
        }

        foreach (ITaskItem item in Libraries)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                PatchFile(path, systemLib);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Log.LogError($"Could not make {Version} weak in '{path}' so that TorchSharp loads with " +
                             $"{systemLib ?? "this system's libstdc++"}: {e.Message}");
                return false;
            }
        }
        return !Log.HasLoggedErrors;
    }

    private void PatchFile(string path, string? systemLib)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (!Paft.NativeFix.GlibcxxRequirement.MakeWeak(elf, Version))
        {
            Log.LogMessage(MessageImportance.Low, $"'{path}' does not require {Version} or has it weak already; nothing to do.");
            return;
        }
        string temp = path + ".paft-tmp";
        File.WriteAllBytes(temp, elf);
        // rename(2) over the old name gives a new inode: a hard link to the NuGet cache is left alone.
        File.Delete(path);
        File.Move(temp, path);
        Log.LogMessage(MessageImportance.Normal,
            $"Marked {Version} weak in '{path}' ({systemLib ?? "no libstdc++ found"} lacks it).");
    }
}
#endif
