using System.Collections;
using Microsoft.ML;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// The rows read from a task file (or folder), in file order, and the malformed rows that were skipped
/// when <see cref="ReaderOptions.SkipMalformedRows"/> asked for it.
/// </summary>
public sealed class TaskReadResult : IReadOnlyList<TaskExample>
{
    private readonly IReadOnlyList<TaskExample> _examples;

    internal TaskReadResult(TaskDefinition task, IReadOnlyList<TaskExample> examples, IReadOnlyList<TaskDataException> skipped)
    {
        Task = task;
        _examples = examples;
        SkippedRows = skipped;
    }

    /// <summary>The task the rows belong to.</summary>
    public TaskDefinition Task { get; }

    /// <summary>The malformed rows that were skipped, each naming its file, line and problem.</summary>
    public IReadOnlyList<TaskDataException> SkippedRows { get; }

    /// <summary>How many malformed rows were skipped.</summary>
    public int SkippedCount => SkippedRows.Count;

    /// <summary>The rows as a lazy ML.NET view; see <see cref="TaskDataView"/> for its columns.</summary>
    public IDataView ToDataView() => _examples.ToDataView(Task);

    /// <inheritdoc />
    public int Count => _examples.Count;

    /// <inheritdoc />
    public TaskExample this[int index] => _examples[index];

    /// <inheritdoc />
    public IEnumerator<TaskExample> GetEnumerator() => _examples.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
