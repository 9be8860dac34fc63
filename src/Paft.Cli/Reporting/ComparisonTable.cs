using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Paft.Cli.Reporting;

/// <summary>
/// The paper's Table 1 shape: one row a method, with the mean ± standard deviation of the per-template
/// accuracies, the worst and best template, and Top-X% (the share of templates reaching X). In percent.
/// When any evaluation is on the adversarial test set, a method's clean and adversarial evaluations share
/// its row: Templates, then mean ± std, min and Top-X% for each set ("—" where the method has no such evaluation).
/// </summary>
internal sealed class ComparisonTable
{
    private const string Missing = "—";

    private ComparisonTable(IReadOnlyList<EvalResult> rows)
    {
        Rows = rows;
        Methods = rows.Select(r => r.Method).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every evaluation, in the order given.</summary>
    public IReadOnlyList<EvalResult> Rows { get; }

    /// <summary>The methods in the order they first appear.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>The task all rows were evaluated on.</summary>
    public string Task => Rows[0].Task;

    /// <summary>Whether any evaluation is on the adversarial test set: then a row is a method, with clean and adversarial columns.</summary>
    public bool IsPaired => Rows.Any(r => r.IsAdversarial);

    /// <summary>
    /// Rows in the order given; all must be of one task (accuracies of different tasks do not compare), and a method
    /// may have one evaluation on each test set.
    /// </summary>
    public static ComparisonTable From(IEnumerable<EvalResult> results)
    {
        EvalResult[] rows = results.ToArray();
        if (rows.Length == 0)
            throw new ArgumentException("Nothing to compare: no evaluation files.");
        if (rows.FirstOrDefault(r => !string.Equals(r.Task, rows[0].Task, StringComparison.OrdinalIgnoreCase)) is { } other)
            throw new InvalidDataException(
                $"'{other.SourcePath}' evaluates task '{other.Task}' but '{rows[0].SourcePath}' evaluates '{rows[0].Task}': only one task can be compared at a time.");
        if (rows.GroupBy(r => (r.Method, r.IsAdversarial)).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidDataException(
                $"Two {(twice.Key.IsAdversarial ? "adversarial " : "")}evaluations are named '{twice.Key.Method}' ({string.Join(", ", twice.Select(r => r.SourcePath))}); name them with --run NAME=FILE.");
        return new ComparisonTable(rows);
    }

    /// <summary>What a row whose evaluation differs from the first of its set shows after the method's name (<c>paft compare --allow-mismatch</c>).</summary>
    public const string MismatchMark = " (!) mismatch";

    /// <summary>The <see cref="EvalResult.Label"/>s of evaluations to mark with <see cref="MismatchMark"/>: they do not compare directly.</summary>
    public IReadOnlySet<string> Marked { get; init; } = new HashSet<string>();

    /// <summary>This table with <paramref name="labels"/> marked as evaluations that do not compare directly.</summary>
    public ComparisonTable WithMarked(IReadOnlySet<string> labels) => new(Rows) { Marked = labels };

    /// <summary>The method's evaluation on one test set, or null when it has none.</summary>
    public EvalResult? Find(string method, bool adversarial) =>
        Rows.FirstOrDefault(r => r.IsAdversarial == adversarial && string.Equals(r.Method, method, StringComparison.Ordinal));

    /// <summary>
    /// Null when, within each test set, every method was evaluated on the same template ids, else a warning naming two
    /// that were not: accuracies over different test templates do not measure the same thing. (The clean and the
    /// adversarial set differ by design.)
    /// </summary>
    public string? TemplateMismatch
    {
        get
        {
            string?[] warnings = [Mismatch(Rows.Where(r => !r.IsAdversarial).ToArray(), ""), Mismatch(Rows.Where(r => r.IsAdversarial).ToArray(), "adversarial ")];
            return warnings.Any(w => w is not null) ? string.Join(" ", warnings.OfType<string>()) : null;
        }
    }

    private static string? Mismatch(IReadOnlyList<EvalResult> set, string setName)
    {
        if (set.Count < 2)
            return null;
        var first = set[0].Templates.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        EvalResult? other = set.Skip(1).FirstOrDefault(r => !first.SetEquals(r.Templates.Select(t => t.Id)));
        return other is null ? null
            : $"'{set[0].Method}' and '{other.Method}' were evaluated on different {setName}test templates; their numbers do not compare directly.";
    }

    /// <summary>"Top-85%" when every row uses one threshold, else "Top-X%" with the threshold in each cell.</summary>
    public string TopXHeader => SharedThreshold is { } t ? $"Top-{Percent(t, "0.##")}%" : "Top-X%";

    private double? SharedThreshold => Rows.Select(r => r.TopXThreshold).Distinct().Count() == 1 ? Rows[0].TopXThreshold : null;

    /// <summary>The column titles; in the paired layout each set's columns start with "Clean" or "Adversarial".</summary>
    public IReadOnlyList<string> Header => IsPaired
        ? ["Method", "Templates", .. SetHeader("Clean"), .. SetHeader("Adversarial")]
        : ["Method", "Templates", "Mean ± Std", "Min", "Max", TopXHeader];

    private string[] SetHeader(string set) => [$"{set} Mean ± Std", $"{set} Min", $"{set} {TopXHeader}"];

    /// <summary>The cells of one evaluation in the unpaired layout, as shown (percentages with two decimals).</summary>
    public IReadOnlyList<string> Cells(EvalResult r) =>
    [
        Marked.Contains(r.Label) ? r.Method + MismatchMark : r.Method,
        Count(r),
        MeanStd(r),
        Percent(r.MinAccuracy),
        Percent(r.MaxAccuracy),
        TopX(r),
    ];

    /// <summary>
    /// The cells of one method in the paired layout: templates as "clean / adversarial", then each set's mean ± std,
    /// min and Top-X% ("—" for a set the method was not evaluated on).
    /// </summary>
    public IReadOnlyList<string> Cells(string method)
    {
        EvalResult? clean = Find(method, adversarial: false);
        EvalResult? adversarial = Find(method, adversarial: true);
        bool marked = new[] { clean, adversarial }.Any(r => r is not null && Marked.Contains(r.Label));
        return [marked ? method + MismatchMark : method, $"{Count(clean)} / {Count(adversarial)}", .. SetCells(clean), .. SetCells(adversarial)];
    }

    private string[] SetCells(EvalResult? r) => r is null ? [Missing, Missing, Missing] : [MeanStd(r), Percent(r.MinAccuracy), TopX(r)];

    /// <summary>The table's body: a line an evaluation, or in the paired layout a line a method.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Lines => IsPaired ? Methods.Select(Cells).ToArray() : Rows.Select(Cells).ToArray();

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", Header).Append(" |\n");
        text.Append("|:---|").AppendJoin("|", Enumerable.Repeat("---:", Header.Count - 1)).Append("|\n");
        foreach (IReadOnlyList<string> line in Lines)
            text.Append("| ").AppendJoin(" | ", line.Select(EscapeMarkdown)).Append(" |\n");
        return text.ToString();
    }

    /// <summary>Shows the table: a Spectre.Console table on a terminal, the Markdown text otherwise.</summary>
    public void Write(TextWriter output, bool interactive)
    {
        if (!interactive)
        {
            output.Write(ToMarkdown());
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title($"Accuracy (%) over test templates — {Markup.Escape(Task)}");
        foreach ((string column, int i) in Header.Select((c, i) => (c, i)))
        {
            // Paired: the set on a first header line ("Adv." for short), the measure on a second, and "mean ± std" never
            // broken, so that eight columns fit a terminal of about 85 characters.
            string title = Markup.Escape(column);
            foreach ((string set, string shown) in new[] { ("Clean ", "Clean"), ("Adversarial ", "Adv.") })
                if (IsPaired && column.StartsWith(set, StringComparison.Ordinal))
                    title = $"[bold]{shown}[/]\n{Markup.Escape(column[set.Length..])}";
            var tableColumn = new TableColumn(title) { Alignment = i == 0 ? Justify.Left : Justify.Right, NoWrap = column.EndsWith("Mean ± Std", StringComparison.Ordinal) };
            if (IsPaired)
                tableColumn.Padding(1, 0, i == 0 ? 1 : 0, 0); // the number columns are right-aligned: their right padding is waste
            table.AddColumn(tableColumn);
        }
        if (IsPaired)
            table.Caption("Templates: clean / adversarial. Adv.: seeded adversarial variants of the test templates; —: not evaluated.");
        foreach (IReadOnlyList<string> line in Lines)
            table.AddRow(line.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
    }

    private static string Count(EvalResult? r) => r is null ? Missing : r.Templates.Count.ToString(CultureInfo.InvariantCulture);

    private static string MeanStd(EvalResult r) => $"{Percent(r.MeanAccuracy)} ± {Percent(r.AccuracyStdDev)}";

    private string TopX(EvalResult r) =>
        SharedThreshold is null ? $"{Percent(r.TopXShare)} (≥{Percent(r.TopXThreshold, "0.##")})" : Percent(r.TopXShare);

    private static string Percent(double fraction, string format = "F2") => (100 * fraction).ToString(format, CultureInfo.InvariantCulture);

    private static string EscapeMarkdown(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
