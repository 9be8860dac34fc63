using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Paft.Cli.Reporting;

/// <summary>
/// The paper's Table 1 shape: one row a method, with the mean ± standard deviation of the per-template
/// accuracies, the worst and best template, and Top-X% (the share of templates reaching X). In percent.
/// </summary>
internal sealed class ComparisonTable
{
    private ComparisonTable(IReadOnlyList<EvalResult> rows) => Rows = rows;

    public IReadOnlyList<EvalResult> Rows { get; }

    /// <summary>The task all rows were evaluated on.</summary>
    public string Task => Rows[0].Task;

    /// <summary>Rows in the order given; all must be of one task (accuracies of different tasks do not compare).</summary>
    public static ComparisonTable From(IEnumerable<EvalResult> results)
    {
        EvalResult[] rows = results.ToArray();
        if (rows.Length == 0)
            throw new ArgumentException("Nothing to compare: no evaluation files.");
        if (rows.FirstOrDefault(r => !string.Equals(r.Task, rows[0].Task, StringComparison.OrdinalIgnoreCase)) is { } other)
            throw new InvalidDataException(
                $"'{other.SourcePath}' evaluates task '{other.Task}' but '{rows[0].SourcePath}' evaluates '{rows[0].Task}': only one task can be compared at a time.");
        if (rows.GroupBy(r => r.Method, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidDataException($"Two evaluations are named '{twice.Key}' ({string.Join(", ", twice.Select(r => r.SourcePath))}); name them with --run NAME=FILE.");
        return new ComparisonTable(rows);
    }

    /// <summary>
    /// Null when every method was evaluated on the same template ids, else a warning naming two that were not:
    /// accuracies over different test templates do not measure the same thing.
    /// </summary>
    public string? TemplateMismatch
    {
        get
        {
            var first = Rows[0].Templates.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            EvalResult? other = Rows.Skip(1).FirstOrDefault(r => !first.SetEquals(r.Templates.Select(t => t.Id)));
            return other is null ? null
                : $"'{Rows[0].Method}' and '{other.Method}' were evaluated on different test templates; their numbers do not compare directly.";
        }
    }

    /// <summary>"Top-85%" when every row uses one threshold, else "Top-X%" with the threshold in each cell.</summary>
    public string TopXHeader => SharedThreshold is { } t ? $"Top-{Percent(t, "0.##")}%" : "Top-X%";

    private double? SharedThreshold => Rows.Select(r => r.TopXThreshold).Distinct().Count() == 1 ? Rows[0].TopXThreshold : null;

    public IReadOnlyList<string> Header => ["Method", "Templates", "Mean ± Std", "Min", "Max", TopXHeader];

    /// <summary>The cells of one row, as shown (percentages with two decimals).</summary>
    public IReadOnlyList<string> Cells(EvalResult r) =>
    [
        r.Method,
        r.Templates.Count.ToString(CultureInfo.InvariantCulture),
        $"{Percent(r.MeanAccuracy)} ± {Percent(r.AccuracyStdDev)}",
        Percent(r.MinAccuracy),
        Percent(r.MaxAccuracy),
        SharedThreshold is null ? $"{Percent(r.TopXShare)} (≥{Percent(r.TopXThreshold, "0.##")})" : Percent(r.TopXShare),
    ];

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", Header).Append(" |\n");
        text.Append("|:---|").AppendJoin("|", Enumerable.Repeat("---:", Header.Count - 1)).Append("|\n");
        foreach (EvalResult r in Rows)
            text.Append("| ").AppendJoin(" | ", Cells(r).Select(EscapeMarkdown)).Append(" |\n");
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
            table.AddColumn(new TableColumn(Markup.Escape(column)) { Alignment = i == 0 ? Justify.Left : Justify.Right });
        foreach (EvalResult r in Rows)
            table.AddRow(Cells(r).Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
    }

    private static string Percent(double fraction, string format = "F2") => (100 * fraction).ToString(format, CultureInfo.InvariantCulture);

    private static string EscapeMarkdown(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
