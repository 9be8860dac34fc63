namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// Reads the four PAFT benchmarks in their standard file formats into <see cref="TaskExample"/>s whose
/// fields are named as the PAFT authors' template placeholders (see <see cref="TaskDefinition"/>).
/// </summary>
/// <remarks>
/// A malformed row throws a <see cref="TaskDataException"/> naming the file, the 1-based line and the
/// problem, unless <see cref="ReaderOptions.SkipMalformedRows"/> is set; then it is skipped and listed
/// in <see cref="TaskReadResult.SkippedRows"/>.
/// </remarks>
public static class TaskReaders
{
    /// <summary>HellaSwag's original jsonl (<c>ctx_a</c>, <c>ctx_b</c>, <c>activity_label</c>, <c>endings</c>, <c>label</c>).
    /// See <see cref="ReaderOptions.PreprocessHellaSwag"/> for how the context is built.</summary>
    public static TaskReadResult ReadHellaSwag(string path, ReaderOptions? options = null) =>
        HellaSwagReader.Read(path, options ?? ReaderOptions.Default);

    /// <summary>PIQA's jsonl (<c>goal</c>, <c>sol1</c>, <c>sol2</c>) with its labels file: given as
    /// <paramref name="labelsPath"/>, else <see cref="ReaderOptions.PiqaLabelsPath"/>, else
    /// <c>&lt;name&gt;-labels.lst</c> beside the jsonl; without one the rows are unlabelled (-1).</summary>
    public static TaskReadResult ReadPiqa(string path, string? labelsPath = null, ReaderOptions? options = null)
    {
        options ??= ReaderOptions.Default;
        if (labelsPath is not null)
            options = options with { PiqaLabelsPath = labelsPath };
        return PiqaReader.Read(path, options);
    }

    /// <summary>WinoGrande's jsonl (<c>sentence</c> with <c>_</c>, <c>option1</c>, <c>option2</c>, <c>answer</c> "1"/"2").
    /// <c>prompt</c> holds the whole sentence with its blank, as in the PAFT authors' evaluation
    /// (OpenCompass); <c>only_option1</c>/<c>only_option2</c> the fillers.</summary>
    public static TaskReadResult ReadWinoGrande(string path, ReaderOptions? options = null) =>
        WinoGrandeReader.Read(path, options ?? ReaderOptions.Default);

    /// <summary>RACE as Hugging Face rows (jsonl of <c>article</c>, <c>question</c>, <c>options</c>, <c>answer</c> letter).</summary>
    public static TaskReadResult ReadRace(string path, ReaderOptions? options = null) =>
        RaceReader.ReadRows(path, options ?? ReaderOptions.Default);

    /// <summary>RACE's original per-article JSON files: one file, or every <c>*.txt</c> under a folder
    /// (recursively, in ordinal path order). Each question becomes one example; a malformed file is
    /// one skipped row.</summary>
    public static TaskReadResult ReadRaceOriginal(string path, ReaderOptions? options = null) =>
        RaceReader.ReadOriginal(path, options ?? ReaderOptions.Default);

    /// <summary>
    /// Reads <paramref name="path"/> in the generic jsonl layout, whatever the task (built-in ones too):
    /// one string property per field of <paramref name="task"/> and <c>label</c> (a 0-based index or an
    /// answer label). <see cref="TaskDataJsonl.Write"/> writes this layout.
    /// </summary>
    public static TaskReadResult ReadGeneric(TaskDefinition task, string path, ReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return GenericTaskReader.Read(task, path, options ?? ReaderOptions.Default);
    }

    /// <summary>
    /// Reads <paramref name="path"/> as rows of <paramref name="task"/>. Built-in tasks use their
    /// standard format (RACE: a folder or a non-jsonl file means the original layout); any other task
    /// is read as jsonl with one string property per field and a <c>label</c> (index or answer label).
    /// </summary>
    public static TaskReadResult Read(TaskDefinition task, string path, ReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= ReaderOptions.Default;
        if (ReferenceEquals(task, TaskDefinition.HellaSwag)) return HellaSwagReader.Read(path, options);
        if (ReferenceEquals(task, TaskDefinition.Piqa)) return PiqaReader.Read(path, options);
        if (ReferenceEquals(task, TaskDefinition.WinoGrande)) return WinoGrandeReader.Read(path, options);
        if (ReferenceEquals(task, TaskDefinition.Race))
            return Directory.Exists(path) || !path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
                ? RaceReader.ReadOriginal(path, options)
                : RaceReader.ReadRows(path, options);
        return GenericTaskReader.Read(task, path, options);
    }
}
