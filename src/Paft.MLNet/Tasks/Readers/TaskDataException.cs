namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// A task data file holds a row the reader cannot use: malformed JSON, a missing or mistyped field,
/// a label out of range. The message names the file, the 1-based line and what is wrong.
/// </summary>
public sealed class TaskDataException : FormatException
{
    /// <summary>Creates the exception for one row.</summary>
    /// <param name="path">The file that holds the row.</param>
    /// <param name="line">The row's 1-based line number, or 0 when the problem concerns the whole file.</param>
    /// <param name="problem">What is wrong, e.g. "field 'label' is missing".</param>
    /// <param name="inner">The parser's exception, if any.</param>
    public TaskDataException(string path, int line, string problem, Exception? inner = null)
        : base(line > 0 ? $"{path}, line {line}: {problem}" : $"{path}: {problem}", inner)
    {
        FilePath = path;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file that holds the bad row.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line of the bad row, or 0 when the problem concerns the whole file.</summary>
    public int Line { get; }

    /// <summary>What is wrong with the row, without the location.</summary>
    public string Problem { get; }
}
