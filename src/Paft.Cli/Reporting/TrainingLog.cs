using System.Globalization;
using System.Text;
using Paft.Llama.Training;
using Paft.Llama;
using Paft.MLNet.Prompts;
using Paft.MLNet.Training;

namespace Paft.Cli.Reporting;

/// <summary>
/// The loss curve of a training run: <c>training_log.csv</c> with the header
/// <c>step,epoch,loss,learning_rate,tokens_per_second,validation_accuracy,template_ids</c>, one row a step;
/// <c>template_ids</c> names the template(s) the step trained on, joined with <c>;</c>, and, being the last
/// column, is read to the end of the line. Logs written before that column existed still load.
/// <c>paft train</c> writes it beside the saved model; <c>paft report</c> plots it.
/// </summary>
internal sealed class TrainingLog
{
    public const string FileName = "training_log.csv";
    private const string HeaderWithoutTemplates = "step,epoch,loss,learning_rate,tokens_per_second,validation_accuracy";
    private const string Header = HeaderWithoutTemplates + ",template_ids";

    private readonly List<TrainingLogEntry> _entries = [];

    // The file Flush keeps up to date, how many rows it holds, and whether one of those has changed since (then it is rewritten).
    private string? _flushedPath;
    private int _flushedRows;
    private bool _flushedRowChanged;

    public IReadOnlyList<TrainingLogEntry> Entries => _entries;

    /// <summary>Adds a step; a step at or before ones already logged (a resumed run going over them again) replaces them.</summary>
    public void Add(TrainingLogEntry entry)
    {
        _entries.RemoveAll(e => e.Step >= entry.Step);
        _flushedRowChanged |= _entries.Count < _flushedRows;
        _entries.Add(entry);
    }

    /// <summary>
    /// Records a trainer progress report: a step report adds a row; the epoch report the trainer sends again
    /// under the epoch's last step only attaches its validation accuracy, if any. Returns whether a row was added.
    /// </summary>
    public bool Record(PaftProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (_entries.Count > 0 && _entries[^1].Step == progress.Step)
        {
            if (progress.ValidationAccuracy is { } accuracy)
                SetValidationAccuracy(accuracy);
            return false;
        }
        Add(new TrainingLogEntry(progress.Step, progress.Epoch, progress.Loss, progress.LearningRate, progress.TokensPerSecond, progress.ValidationAccuracy,
            string.Join(TrainingLogEntry.TemplateIdSeparator, progress.TemplateIds)));
        return true;
    }

    /// <summary>Drops the rows after <paramref name="step"/> (steps a crashed run logged after its last checkpoint, which the resumed run redoes).</summary>
    public void TruncateAfter(int step)
    {
        _entries.RemoveAll(e => e.Step > step);
        _flushedRowChanged |= _entries.Count < _flushedRows;
    }

    /// <summary>Attaches a validation accuracy to the latest step.</summary>
    public void SetValidationAccuracy(double accuracy)
    {
        if (_entries.Count > 0)
        {
            _entries[^1] = _entries[^1] with { ValidationAccuracy = accuracy };
            _flushedRowChanged |= _entries.Count <= _flushedRows;
        }
    }

    /// <summary>
    /// Brings <paramref name="path"/> up to date after each step, so that a run killed at any moment leaves every row it
    /// reported: new rows are appended and forced to disk; a change to a row already written rewrites the file
    /// atomically. A row cut short by the kill is dropped by <see cref="Load"/>.
    /// </summary>
    public void Flush(string path)
    {
        if (_flushedPath != path || _flushedRowChanged || !File.Exists(path))
        {
            Save(path);
        }
        else if (_flushedRows < _entries.Count)
        {
            var text = new StringBuilder();
            foreach (TrainingLogEntry e in _entries.Skip(_flushedRows))
                text.Append(FormatRow(e));
            try
            {
                using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
                stream.Write(new UTF8Encoding(false).GetBytes(text.ToString()));
                stream.Flush(flushToDisk: true);
            }
            catch (Exception e) when (AtomicFile.IsWriteFailure(e))
            {
                // The rows before stay; a row cut short by a full disk has no line end, and Load drops it.
                throw WriteFailed(path, e);
            }
        }
        _flushedPath = path;
        _flushedRows = _entries.Count;
        _flushedRowChanged = false;
    }

    /// <summary>Writes the log atomically.</summary>
    public void Save(string path)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (TrainingLogEntry e in _entries)
            text.Append(FormatRow(e));
        byte[] bytes = new UTF8Encoding(false).GetBytes(text.ToString());
        try
        {
            AtomicFile.Write(path, stream => stream.Write(bytes));
        }
        catch (Exception e) when (AtomicFile.IsWriteFailure(e))
        {
            throw WriteFailed(path, e); // the file keeps its previous content
        }
    }

    /// <summary>A write refused by the file system (a full disk), named by the log's path rather than a temporary file's.</summary>
    private static IOException WriteFailed(string path, Exception e) =>
        new($"Could not write the training log '{path}': {e.Message} Its rows written before are kept.", e);

    private static string FormatRow(TrainingLogEntry e) => string.Create(CultureInfo.InvariantCulture,
        $"{e.Step},{e.Epoch},{e.Loss:R},{e.LearningRate:R},{e.TokensPerSecond:R},{(e.ValidationAccuracy is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "")},{e.TemplateIds}\n");

    /// <summary>
    /// Reads a log written by <see cref="Save"/> or <see cref="Flush"/>; a malformed line throws naming the file and line.
    /// A last line without its line end is a row a killed run was writing, and is dropped.
    /// </summary>
    public static TrainingLog Load(string path)
    {
        var log = new TrainingLog();
        string content = File.ReadAllText(path);
        bool cutShort = content.Length > 0 && !content.EndsWith('\n');
        List<string> lines = content.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        lines.RemoveAt(lines.Count - 1); // after the last line end: empty, or the row cut short
        if (lines.Count == 0 && cutShort)
            lines.Add(Header); // even the header was cut short
        if (lines.Count == 0 || lines[0].Trim() is not (Header or HeaderWithoutTemplates))
            throw new InvalidDataException($"{path}: line 1 must be the header '{Header}'.");
        int columns = lines[0].Trim() == Header ? 7 : 6;
        for (int i = 1; i < lines.Count; i++)
        {
            if (lines[i].Length == 0)
                continue;
            string[] cells = lines[i].Split(',', columns);
            try
            {
                if (cells.Length != columns)
                    throw new FormatException($"expected {columns} values, found {cells.Length}");
                log.Add(new TrainingLogEntry(
                    int.Parse(cells[0], CultureInfo.InvariantCulture),
                    int.Parse(cells[1], CultureInfo.InvariantCulture),
                    double.Parse(cells[2], CultureInfo.InvariantCulture),
                    double.Parse(cells[3], CultureInfo.InvariantCulture),
                    double.Parse(cells[4], CultureInfo.InvariantCulture),
                    cells[5].Length == 0 ? null : double.Parse(cells[5], CultureInfo.InvariantCulture),
                    columns == 7 ? cells[6] : ""));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path}: line {i + 1}: {e.Message}.", e);
            }
        }
        if (!cutShort)
        {
            log._flushedPath = path;
            log._flushedRows = log._entries.Count;
        }
        return log;
    }
}
