using System.Globalization;
using System.Collections;
using Paft.Llama;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Prompts;

/// <summary>
/// An ordered set of prompt templates for one task, keyed by id: what PAFT samples from during training
/// (the train pool) and evaluates robustness on (the disjoint test pool). Pools are immutable: cleaning
/// and splitting return new pools, keeping the original order.
/// </summary>
public sealed class PromptPool : IReadOnlyList<PromptPoolEntry>
{
    /// <summary>The default Jaccard similarity of 5-character shingles from which two templates count as near duplicates.</summary>
    public const double DefaultNearDuplicateThreshold = 0.8;

    private readonly PromptPoolEntry[] _entries;
    private readonly Dictionary<string, int> _indexById;

    /// <summary>Creates a pool; ids must be distinct.</summary>
    /// <param name="entries">The templates with their metadata, in pool order.</param>
    /// <exception cref="ArgumentException">Two entries share an id.</exception>
    public PromptPool(IEnumerable<PromptPoolEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.ToArray();
        _indexById = new Dictionary<string, int>(_entries.Length, StringComparer.Ordinal);
        for (int i = 0; i < _entries.Length; i++)
        {
            if (!_indexById.TryAdd(_entries[i].Id, i))
                throw new ArgumentException($"The pool has two templates with the id '{_entries[i].Id}' (entries {_indexById[_entries[i].Id]} and {i}).", nameof(entries));
        }
    }

    /// <summary>Creates a pool of templates without metadata.</summary>
    /// <param name="templates">The templates, in pool order; ids must be distinct.</param>
    public static PromptPool FromTemplates(IEnumerable<PromptTemplate> templates) =>
        new(templates.Select(t => new PromptPoolEntry(t)));

    /// <summary>Number of templates.</summary>
    public int Count => _entries.Length;

    /// <summary>The entry at <paramref name="index"/>.</summary>
    /// <param name="index">0-based position in the pool.</param>
    public PromptPoolEntry this[int index] => _entries[index];

    /// <summary>The metadata fields of the entries, in order of first appearance: the extra columns a pool file gets.</summary>
    public IReadOnlyList<string> MetadataKeys => PromptPoolCsv.MetadataColumns(_entries);

    /// <summary>The templates, in pool order.</summary>
    public IEnumerable<PromptTemplate> Templates => _entries.Select(e => e.Template);

    /// <summary>Finds an entry by id.</summary>
    /// <param name="id">The template id.</param>
    /// <param name="entry">The entry, when found.</param>
    /// <returns>Whether the pool has a template with that id.</returns>
    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PromptPoolEntry? entry)
    {
        entry = _indexById.TryGetValue(id, out int index) ? _entries[index] : null;
        return entry is not null;
    }

    /// <inheritdoc />
    public IEnumerator<PromptPoolEntry> GetEnumerator() => ((IEnumerable<PromptPoolEntry>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Loads a pool from <c>.jsonl</c> (one <c>{"id","text",...}</c> object a line) or <c>.csv</c> (RFC 4180,
    /// a <c>text</c> column, optional <c>id</c>), chosen by extension (<c>.xlsx</c> is read by Paft.MLNet.Connectors'
    /// <c>PromptPoolFiles</c>). Rows without an id get <c>&lt;file name&gt;-&lt;row number&gt;</c>; other fields are kept as metadata.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="escaping">How the templates spell newlines; the PAFT authors' files use <see cref="PromptTextEscaping.BackslashSequences"/>.</param>
    /// <param name="limits">Size limits on the file (null: <see cref="InputLimits.Default"/>).</param>
    /// <exception cref="InvalidDataException">A row is malformed, a template does not parse or an id repeats, the file is not
    /// UTF-8 or exceeds a limit; the message names the file and line or row.</exception>
    public static PromptPool Load(string path, PromptTextEscaping escaping = PromptTextEscaping.None, InputLimits? limits = null) =>
        FromRecords(path, ReadRecords(path, limits), escaping, limits);

    /// <summary>
    /// Parses the rows a pool file reader produced into a pool, as <see cref="Load"/> does for its own formats.
    /// </summary>
    /// <param name="path">The file the rows came from: rows without an id get <c>&lt;file name&gt;-&lt;row number&gt;</c>.</param>
    /// <param name="records">The rows, in file order.</param>
    /// <param name="escaping">How the templates spell newlines.</param>
    /// <param name="limits">Size limits (null: <see cref="InputLimits.Default"/>): each template's length is checked.</param>
    /// <exception cref="InvalidDataException">A template is too long or does not parse, or an id repeats; the message names the row.</exception>
    public static PromptPool FromRecords(string path, IReadOnlyList<PromptRecord> records, PromptTextEscaping escaping = PromptTextEscaping.None,
        InputLimits? limits = null)
    {
        CheckTemplateLengths(records, limits);
        var entries = new List<PromptPoolEntry>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (PromptRecord record in records)
        {
            string id = record.Id ?? DefaultId(path, entries.Count);
            if (!seen.TryAdd(id, record.Location))
                throw new InvalidDataException($"{record.Location}: the id '{id}' was already used at {seen[id]}.");
            if (!PromptTemplate.TryParse(record.Text, id, escaping, out PromptTemplate? template, out PromptTemplateException? error))
                throw new InvalidDataException($"{record.Location}: {error.Message}", error);
            entries.Add(new PromptPoolEntry(template, record.Metadata));
        }
        return new PromptPool(entries);
    }

    /// <summary>
    /// Checks every row of a pool file against a task without stopping at the first bad one: a template
    /// that does not parse, misses a field, names an unknown field or repeats an id gets its problems
    /// listed. Only a file that cannot be read at all (missing, malformed line) throws.
    /// </summary>
    /// <param name="path">The pool file (.jsonl or .csv).</param>
    /// <param name="task">The task the templates are for.</param>
    /// <param name="escaping">How the templates spell newlines.</param>
    /// <param name="limits">Size limits on the file (null: <see cref="InputLimits.Default"/>).</param>
    /// <returns>One verdict a row, in file order.</returns>
    public static IReadOnlyList<TemplateVerdict> CheckFile(string path, TaskDefinition task, PromptTextEscaping escaping = PromptTextEscaping.None,
        InputLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        return CheckRecords(path, ReadRecords(path, limits), task, escaping, limits);
    }

    /// <summary>Checks the rows a pool file reader produced against a task, as <see cref="CheckFile"/> does for its own formats.</summary>
    /// <param name="path">The file the rows came from.</param>
    /// <param name="records">The rows, in file order.</param>
    /// <param name="task">The task the templates are for.</param>
    /// <param name="escaping">How the templates spell newlines.</param>
    /// <param name="limits">Size limits (null: <see cref="InputLimits.Default"/>): a template over the length limit throws.</param>
    /// <returns>One verdict a row, in file order.</returns>
    public static IReadOnlyList<TemplateVerdict> CheckRecords(string path, IReadOnlyList<PromptRecord> records, TaskDefinition task,
        PromptTextEscaping escaping = PromptTextEscaping.None, InputLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(task);
        CheckTemplateLengths(records, limits);
        var firstUse = new Dictionary<string, string>(StringComparer.Ordinal);
        var verdicts = new List<TemplateVerdict>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            PromptRecord record = records[i];
            string id = record.Id ?? DefaultId(path, i);
            var problems = PromptTemplate.Check(record.Text, id, task, escaping).Select(p => p.Message).ToList();
            if (!firstUse.TryAdd(id, record.Location))
                problems.Insert(0, $"The id '{id}' was already used at {firstUse[id]}.");
            verdicts.Add(new TemplateVerdict(id, record.Location, problems));
        }
        return verdicts;
    }

    /// <summary>The rows of a pool file, unparsed.</summary>
    internal static List<PromptRecord> ReadRecords(string path, InputLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        limits ??= InputLimits.Default;
        limits.Check();
        if (!File.Exists(path))
            throw new FileNotFoundException($"Prompt pool file '{path}' does not exist.", path);
        return FormatOf(path) switch
        {
            PoolFileFormat.Jsonl => PromptPoolJsonl.Read(path, limits.MaxLineBytes),
            _ => PromptPoolCsv.Read(path, limits.MaxFieldLength),
        };
    }

    /// <summary>Checked before parsing: a template of megabytes would otherwise reach the tokenizer and the model.</summary>
    private static void CheckTemplateLengths(IReadOnlyList<PromptRecord> records, InputLimits? limits)
    {
        ArgumentNullException.ThrowIfNull(records);
        limits ??= InputLimits.Default;
        foreach (PromptRecord record in records)
            if (record.Text.Length > limits.MaxTemplateLength)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{record.Location}: the template is {record.Text.Length:N0} characters long ({InputLimits.Describe(nameof(InputLimits.MaxTemplateLength), limits.MaxTemplateLength)})."));
    }

    internal static string DefaultId(string path, int index) => $"{Path.GetFileNameWithoutExtension(path)}-{index:D3}";

    /// <summary>
    /// Saves the pool atomically (a temporary file in the same folder, then a rename) as <c>.jsonl</c> or
    /// <c>.csv</c> by extension (<c>.xlsx</c>: Paft.MLNet.Connectors' <c>PromptPoolFiles.Save</c>). Templates are written as their source text, so a pool
    /// loaded with an escaping convention is saved in the same convention.
    /// </summary>
    /// <param name="path">The file to write; its folder is created if needed.</param>
    public void Save(string path)
    {
        PoolFileFormat format = FormatOf(path);
        AtomicFile.Write(path, stream =>
        {
            switch (format)
            {
                case PoolFileFormat.Jsonl: PromptPoolJsonl.Write(stream, _entries); break;
                default: PromptPoolCsv.Write(stream, _entries); break;
            }
        });
    }

    /// <summary>
    /// Removes templates whose text equals an earlier one's after lower-casing and collapsing whitespace
    /// (escape sequences resolved). The first of each group is kept.
    /// </summary>
    public PromptPool RemoveExactDuplicates()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return new PromptPool(_entries.Where(e => seen.Add(TextShingles.Normalize(e.Template.DisplayText))));
    }

    /// <summary>
    /// Removes near duplicates: walking the pool in order, a template is kept unless the Jaccard similarity
    /// of its 5-character shingles with an already kept template reaches <paramref name="threshold"/>.
    /// The earliest template of a group is therefore the one kept.
    /// </summary>
    /// <param name="threshold">Similarity in (0, 1] from which two templates are near duplicates.</param>
    public PromptPool RemoveNearDuplicates(double threshold = DefaultNearDuplicateThreshold)
    {
        CheckThreshold(threshold);
        ulong[][] shingles = ShinglesOf();
        var kept = new List<int>();
        foreach (int i in Enumerable.Range(0, _entries.Length))
            if (kept.All(k => !TextShingles.CanReach(shingles[k], shingles[i], threshold) || TextShingles.Jaccard(shingles[k], shingles[i]) < threshold))
                kept.Add(i);
        return new PromptPool(kept.Select(i => _entries[i]));
    }

    /// <summary>
    /// Groups of near-duplicate templates (similarity chains reaching <paramref name="threshold"/>), each
    /// with at least two ids, in pool order.
    /// </summary>
    /// <param name="threshold">Similarity in (0, 1] from which two templates are near duplicates.</param>
    public IReadOnlyList<IReadOnlyList<string>> NearDuplicateClusters(double threshold = DefaultNearDuplicateThreshold)
    {
        CheckThreshold(threshold);
        return TextShingles.Clusters(ShinglesOf(), threshold)
            .Where(c => c.Count > 1)
            .Select(c => (IReadOnlyList<string>)c.Select(i => _entries[i].Id).ToArray())
            .ToArray();
    }

    /// <summary>
    /// Splits the pool into disjoint train and test pools, reproducibly for a seed. Near-duplicate groups
    /// (at <paramref name="nearDuplicateThreshold"/>) go to one side whole, so no test template has a
    /// near copy in training; the test side therefore holds about, not exactly,
    /// <paramref name="testFraction"/> of the templates. Both sides keep the pool order.
    /// </summary>
    /// <param name="testFraction">Share of templates for the test pool, in (0, 1).</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <param name="nearDuplicateThreshold">Similarity from which templates are kept on the same side; 1 keeps only identical shingle sets together.</param>
    public PromptPoolSplit Split(double testFraction, int seed, double nearDuplicateThreshold = DefaultNearDuplicateThreshold)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be strictly between 0 and 1.");
        CheckThreshold(nearDuplicateThreshold);
        List<List<int>> groups = TextShingles.Clusters(ShinglesOf(), nearDuplicateThreshold);
        Shuffle(groups, new Random(seed));

        int target = (int)Math.Round(testFraction * _entries.Length, MidpointRounding.AwayFromZero);
        var test = new HashSet<int>();
        foreach (List<int> group in groups)
            if (test.Count + group.Count <= target)
                test.UnionWith(group);
        return new PromptPoolSplit(
            new PromptPool(_entries.Where((_, i) => !test.Contains(i))),
            new PromptPool(_entries.Where((_, i) => test.Contains(i))));
    }

    /// <summary>Counts, lengths, placeholder orders, duplicates and suspicious templates of the pool.</summary>
    /// <param name="task">When given, templates invalid for the task are reported as suspicious too.</param>
    /// <param name="nearDuplicateThreshold">Similarity from which templates are near duplicates.</param>
    public PromptPoolStatistics ComputeStatistics(TaskDefinition? task = null, double nearDuplicateThreshold = DefaultNearDuplicateThreshold) =>
        PromptPoolStatistics.Compute(this, task, nearDuplicateThreshold);

    /// <summary>Checks every template against a task.</summary>
    /// <param name="task">The task.</param>
    /// <returns>The problems of every template, in pool order; empty when all are valid.</returns>
    public IReadOnlyList<TemplateProblem> Validate(TaskDefinition task) =>
        _entries.SelectMany(e => e.Template.Validate(task)).ToArray();

    private ulong[][] ShinglesOf() => _entries.Select(e => TextShingles.Shingles(e.Template.DisplayText)).ToArray();

    private static void CheckThreshold(double threshold)
    {
        if (!(threshold > 0 && threshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "A similarity threshold must be in (0, 1].");
    }

    /// <summary>Fisher–Yates with a seeded <see cref="Random"/> (its seeded sequence is stable across .NET versions).</summary>
    internal static void Shuffle<T>(IList<T> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private enum PoolFileFormat { Jsonl, Csv }

    private static PoolFileFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jsonl" => PoolFileFormat.Jsonl,
        ".csv" => PoolFileFormat.Csv,
        ".xlsx" => throw new ArgumentException(
            $"'{path}': .xlsx prompt pools are read and written by the Paft.MLNet.Connectors package (PromptPoolFiles); Paft.MLNet reads .jsonl and .csv.", nameof(path)),
        string other => throw new ArgumentException(
            $"'{path}': unknown prompt pool format '{other}'; use .jsonl, .csv or .xlsx.", nameof(path)),
    };
}
