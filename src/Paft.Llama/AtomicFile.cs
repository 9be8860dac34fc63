namespace Paft.Llama;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new one: the content goes to a
/// temporary file in the same folder (same volume, so the rename is atomic), is flushed to disk, and then
/// replaces the target. On failure the temporary file is deleted and the target is left as it was.
/// </summary>
/// <remarks>The one implementation every Paft writer uses (checkpoints, adapters, pools, reports, the <c>paft</c> tool).</remarks>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; its folder is created if needed.</summary>
    /// <param name="path">The file to write or replace.</param>
    /// <param name="write">Writes the whole content to the stream it is given (a new, empty file).</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath) ?? ".";
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { /* best effort: the original error is the one to report */ }
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to write or replace.</param>
    /// <param name="bytes">The whole content.</param>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>
    /// Whether <paramref name="e"/>, thrown by a write, is the file system refusing it: ENOSPC and EIO are IOExceptions,
    /// EFBIG (a file-size limit) is .NET's ArgumentOutOfRangeException on 'value', a read-only folder UnauthorizedAccessException.
    /// </summary>
    public static bool IsWriteFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException { ParamName: "value" };
}
