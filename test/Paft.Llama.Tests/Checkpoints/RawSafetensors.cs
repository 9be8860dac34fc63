using System.Text;

namespace Paft.Llama.Tests.Checkpoints;

/// <summary>Builds safetensors files byte by byte, so tests can make broken ones.</summary>
internal static class RawSafetensors
{
    /// <summary>Writes an 8-byte length (or <paramref name="declaredLength"/>), the header text and the data.</summary>
    public static void Write(string path, string headerJson, byte[] data, ulong? declaredLength = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes(declaredLength ?? (ulong)header.Length));
        f.Write(header);
        f.Write(data);
    }

    /// <summary>The header text of a file written by anyone.</summary>
    public static string ReadHeader(string path)
    {
        byte[] all = File.ReadAllBytes(path);
        ulong n = BitConverter.ToUInt64(all, 0);
        return Encoding.UTF8.GetString(all, 8, (int)n);
    }
}
