using Paft.Llama;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Connectors;

/// <summary>
/// Prompt pool files in all three formats, chosen by extension: <c>.jsonl</c> and <c>.csv</c> as <see cref="PromptPool"/>
/// reads and writes them, and <c>.xlsx</c> (the PAFT authors' Excel pools: the first sheet, a header row with a
/// <c>text</c> column and optionally <c>id</c>, one template a row; other columns are kept as metadata).
/// </summary>
public static class PromptPoolFiles
{
    /// <summary>Loads a pool, as <see cref="PromptPool.Load"/> does, from <c>.jsonl</c>, <c>.csv</c> or <c>.xlsx</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="escaping">How the templates spell newlines.</param>
    /// <param name="limits">Size limits on the file (null: <see cref="InputLimits.Default"/>); <see cref="InputLimits.MaxXlsxEntryBytes"/>
    /// bounds each workbook part.</param>
    /// <exception cref="InvalidDataException">A row or the workbook is malformed, a template does not parse or an id repeats, or a
    /// limit is exceeded; the message names the file and row or cell.</exception>
    public static PromptPool Load(string path, PromptTextEscaping escaping = PromptTextEscaping.None, InputLimits? limits = null) =>
        IsXlsx(path) ? PromptPool.FromRecords(path, ReadXlsx(path, limits), escaping, limits) : PromptPool.Load(path, escaping, limits);

    /// <summary>Checks every row of a pool file against a task, as <see cref="PromptPool.CheckFile"/> does, in any of the three formats.</summary>
    /// <param name="path">The pool file.</param>
    /// <param name="task">The task the templates are for.</param>
    /// <param name="escaping">How the templates spell newlines.</param>
    /// <param name="limits">Size limits on the file (null: <see cref="InputLimits.Default"/>).</param>
    /// <returns>One verdict a row, in file order.</returns>
    public static IReadOnlyList<TemplateVerdict> CheckFile(string path, TaskDefinition task, PromptTextEscaping escaping = PromptTextEscaping.None,
        InputLimits? limits = null) =>
        IsXlsx(path) ? PromptPool.CheckRecords(path, ReadXlsx(path, limits), task, escaping, limits) : PromptPool.CheckFile(path, task, escaping, limits);

    /// <summary>Saves <paramref name="pool"/> atomically as <c>.jsonl</c>, <c>.csv</c> or <c>.xlsx</c> by extension.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="path">The file to write; its folder is created if needed.</param>
    public static void Save(PromptPool pool, string path)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (IsXlsx(path))
            AtomicFile.Write(path, stream => PromptPoolXlsx.Write(stream, pool));
        else
            pool.Save(path);
    }

    private static bool IsXlsx(string path) =>
        string.Equals(Path.GetExtension(path ?? throw new ArgumentNullException(nameof(path))), ".xlsx", StringComparison.OrdinalIgnoreCase);

    private static List<PromptRecord> ReadXlsx(string path, InputLimits? limits)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        limits ??= InputLimits.Default;
        limits.Check();
        if (!File.Exists(path))
            throw new FileNotFoundException($"Prompt pool file '{path}' does not exist.", path);
        return PromptPoolXlsx.Read(path, limits);
    }
}
