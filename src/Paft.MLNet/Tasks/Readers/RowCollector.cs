namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// Gathers the rows of one read: a good row is kept, a bad one either throws (naming file and line)
/// or, when <see cref="ReaderOptions.SkipMalformedRows"/> is set, is recorded and skipped.
/// </summary>
internal sealed class RowCollector(TaskDefinition task, ReaderOptions options)
{
    private readonly List<TaskExample> _examples = [];

    /// <summary>How the files of this read are treated.</summary>
    public ReaderOptions Options => options;

    private readonly List<TaskDataException> _skipped = [];

    /// <summary>Runs <paramref name="map"/> for the row at <paramref name="path"/>:<paramref name="line"/>
    /// and keeps what it returns.</summary>
    public void Add(string path, int line, Func<IEnumerable<TaskExample>> map)
    {
        IReadOnlyList<TaskExample> rows;
        try
        {
            // Materialise here so that a problem found late in a multi-example row drops the whole row.
            rows = map().ToList();
        }
        catch (Exception ex) when (ex is RowProblemException or System.Text.Json.JsonException)
        {
            string problem = ex is RowProblemException ? ex.Message : "malformed JSON: " + ex.Message;
            var error = new TaskDataException(path, line, problem, ex is RowProblemException ? null : ex);
            if (!options.SkipMalformedRows)
                throw error;
            _skipped.Add(error);
            return;
        }
        _examples.AddRange(rows);
    }

    /// <summary>The rows gathered so far.</summary>
    public TaskReadResult ToResult() => new(task, _examples.ToArray(), _skipped.ToArray());
}
