namespace Paft.MLNet.Tasks.Readers;

/// <summary>How <see cref="TaskReaders"/> treats the files it reads.</summary>
public sealed record ReaderOptions
{
    /// <summary>The defaults: malformed rows throw, HellaSwag text is cleaned as lm-evaluation-harness does.</summary>
    public static ReaderOptions Default { get; } = new();

    /// <summary>
    /// When true, a malformed row is skipped and recorded in <see cref="TaskReadResult.SkippedRows"/>
    /// instead of throwing a <see cref="TaskDataException"/>. A problem with the whole file
    /// (missing, unreadable, labels file of the wrong length) still throws. Default false.
    /// </summary>
    public bool SkipMalformedRows { get; init; }

    /// <summary>
    /// PIQA's labels file (one 0/1 per line, aligned with the jsonl). When null the reader looks for
    /// <c>&lt;name&gt;-labels.lst</c> beside <c>&lt;name&gt;.jsonl</c>; when that is absent too the
    /// rows are read unlabelled (label -1).
    /// </summary>
    public string? PiqaLabelsPath { get; init; }

    /// <summary>
    /// When true (the default), HellaSwag's context is built as lm-evaluation-harness and OpenCompass
    /// (which the PAFT authors evaluated with) build it: <c>ctx_a + " " + capitalize(ctx_b)</c>, with
    /// WikiHow's bracket artifacts removed from the context and the endings. When false, the file's
    /// own <c>ctx</c> and <c>endings</c> are used as they are.
    /// </summary>
    public bool PreprocessHellaSwag { get; init; } = true;

    /// <summary>Size limits on the files read (longest line); a line over a limit is a problem of the whole file and throws.</summary>
    public InputLimits Limits { get; init; } = InputLimits.Default;
}
