using System.Globalization;
using Paft.Cli.Terminal;

namespace Paft.Cli.Commands;

/// <summary>
/// Keeps two <c>paft train</c> from writing the same <c>--out</c> (and its checkpoints) at once: the file
/// <c>&lt;out&gt;.lock</c>, held open exclusively for the whole run and holding the owner's process id. The lock lives
/// beside the output folder because saving the model replaces that folder. The operating system releases an
/// exclusive open when its process dies, so a lock file left by a killed run is recognised as stale and taken over.
/// </summary>
internal sealed class TrainOutputLock : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;

    private TrainOutputLock(FileStream stream, string path)
    {
        _stream = stream;
        _path = path;
    }

    /// <summary>The lock file of an output folder.</summary>
    public static string PathFor(string outFolder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(outFolder)) + ".lock";

    /// <summary>Takes the lock of <paramref name="outFolder"/>; a stale one is taken over with a note on <paramref name="error"/>.</summary>
    /// <exception cref="CommandInputException">Another live process holds the lock.</exception>
    public static TrainOutputLock Acquire(string outFolder, TextWriter error)
    {
        string path = PathFor(outFolder);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream stream;
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix and a sharing lock on Windows; both end with the process.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new CommandInputException(
                $"--out '{outFolder}' is in use by another paft train (lock file '{path}'); wait for it to finish or choose another --out.", e);
        }
        string previous;
        using (var reader = new StreamReader(stream, leaveOpen: true))
            previous = reader.ReadToEnd().Trim();
        if (previous.Length > 0)
            error.WriteLine($"note: took over the stale lock '{path}' of process {previous}, which is no longer running.");
        stream.SetLength(0);
        stream.Position = 0;
        byte[] pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        stream.Write(pid);
        stream.Flush(flushToDisk: true);
        return new TrainOutputLock(stream, path);
    }

    public void Dispose()
    {
        // Deleted while still held, so that no other run can open the old file between the two steps and believe it holds the lock.
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Left behind, it is recognised as stale by the next run.
        }
        _stream.Dispose();
    }
}
