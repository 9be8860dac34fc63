using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft compare (--run NAME=FILE.json)... | --in DIR [--reference NAME] [--allow-mismatch] [--out DIR]</c>: the evaluations of
/// several methods side by side, in the paper's Table 1 shape (mean ± std, min, max, Top-X%), then each method against a
/// reference method, paired on the same templates and rows (mean difference, two-level bootstrap 95% interval, Wilcoxon
/// signed-rank p); on the console and as <c>comparison.md</c> and <c>comparison.json</c> with a per-template accuracy figure.
/// Adversarial evaluations (run <c>testSet</c>) get their own columns beside the clean ones. Evaluations of one test set
/// that differ in scoring mode, rows or test templates are refused unless <c>--allow-mismatch</c>, which marks them.
/// </summary>
internal static class CompareCommand
{
    public const string MarkdownFileName = "comparison.md";

    /// <summary>The machine-readable comparison: the table's numbers and the paired statistics.</summary>
    public const string JsonFileName = "comparison.json";

    public static Command Create()
    {
        var runs = new Option<string[]>("--run") { Description = "NAME=FILE.json: an evaluation written by `paft eval`, shown as NAME. Repeat for each method.", AllowMultipleArgumentsPerToken = false };
        var input = new Option<string>("--in") { Description = "A folder of evaluation JSON files (searched recursively; each named after its file, or its folder for eval.json; X.adversarial.json is method X on the adversarial test set)." };
        var output = new Option<string>("--out") { Description = $"The folder to write {MarkdownFileName}, {JsonFileName} and {ReportWriter.DistributionFileName} (per-template accuracy by method) to." };
        var reference = new Option<string>("--reference") { Description = "The method the others are paired against (default: sft if present, else base, else the first)." };
        var allowMismatch = new Option<bool>("--allow-mismatch") { Description = "Compare evaluations that differ in scoring mode, rows or test templates, marking them, instead of refusing." };
        var command = new Command("compare", "Compare evaluations of several methods in one table (mean ± std, min, max, Top-X%) with paired statistics against a reference.")
        {
            runs, input, output, reference, allowMismatch,
        };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            IReadOnlyList<EvalResult> results = Read(parseResult.GetValue(runs) ?? [], parseResult.GetValue(input));
            ComparisonTable table = ComparisonTable.From(results);
            string referenceMethod = PairedComparison.ChooseReference(table.Methods, parseResult.GetValue(reference));
            IReadOnlyList<string> mismatches = EvaluationMismatch.Find(table.Rows);
            if (mismatches.Count > 0)
            {
                if (!parseResult.GetValue(allowMismatch))
                    throw new CommandInputException(
                        $"{string.Join("; ", mismatches)}: their accuracies do not compare. Evaluate them alike, or pass --allow-mismatch to show them marked.");
                table = table.WithMarked(EvaluationMismatch.Labels(table.Rows));
                foreach (string mismatch in mismatches)
                    stderr.WriteLine($"WARNING: {mismatch}; marked{ComparisonTable.MismatchMark} in the table.");
            }
            IReadOnlyList<PairedRow> paired = PairedComparison.Compute(table, referenceMethod);
            table.Write(stdout, ProgressDisplay.IsInteractive(stdout));
            if (paired.Count > 0)
                stdout.Write("\n" + PairedMarkdown(paired, referenceMethod));
            if (parseResult.GetValue(output) is { } folder)
                foreach (string path in WriteFiles(table, folder, paired, referenceMethod, mismatches))
                    stdout.WriteLine($"Wrote '{path}'.");
            return CommandExit.Success;
        }));
        return command;
    }

    /// <summary>
    /// Writes the per-template accuracy figure, <see cref="JsonFileName"/>, then <see cref="MarkdownFileName"/> (the table,
    /// the paired statistics and a link to the figure) into <paramref name="folder"/>; returns the paths, the Markdown last.
    /// </summary>
    public static IReadOnlyList<string> WriteFiles(ComparisonTable table, string folder, IReadOnlyList<PairedRow>? paired = null,
        string? reference = null, IReadOnlyList<string>? mismatches = null)
    {
        paired ??= [];
        mismatches ??= [];
        string outFolder = Path.GetFullPath(folder);
        string figure = Path.Combine(outFolder, ReportWriter.DistributionFileName);
        byte[] png = ReportPlots.AccuracyDistribution(table.Rows);
        AtomicFile.Write(figure, stream => stream.Write(png));

        string json = Path.Combine(outFolder, JsonFileName);
        byte[] jsonBytes = new UTF8Encoding(false).GetBytes(ToJson(table, paired, reference, mismatches) + "\n");
        AtomicFile.Write(json, stream => stream.Write(jsonBytes));

        var markdown = new StringBuilder();
        markdown.Append("# Accuracy over test templates — ").Append(table.Task).Append("\n\n");
        foreach (string mismatch in mismatches)
            markdown.Append("**WARNING:** ").Append(mismatch).Append(": marked").Append(ComparisonTable.MismatchMark).Append("; their numbers do not compare directly.\n\n");
        markdown.Append(table.ToMarkdown());
        if (table.IsPaired)
            markdown.Append("\nTemplates: clean / adversarial. Adversarial: seeded variants of the test templates (`paft eval --adversarial`); ")
                    .Append("— where a method was not evaluated on that set.\n");
        if (table.TemplateMismatch is { } templateMismatch && mismatches.Count == 0)
            markdown.Append("\n**Note:** ").Append(templateMismatch).Append('\n');
        if (paired.Count > 0 && reference is not null)
            markdown.Append('\n').Append(PairedMarkdown(paired, reference));
        markdown.Append("\n![Per-template accuracy by method](").Append(ReportWriter.DistributionFileName).Append(")\n");
        string path = Path.Combine(outFolder, MarkdownFileName);
        byte[] bytes = new UTF8Encoding(false).GetBytes(markdown.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
        return [figure, json, path];
    }

    /// <summary>The paired statistics as a Markdown table with a line on how they were computed.</summary>
    public static string PairedMarkdown(IReadOnlyList<PairedRow> paired, string reference)
    {
        var text = new StringBuilder();
        text.Append("Paired against ").Append(reference).Append(": Δ = method − ").Append(reference)
            .Append(" in accuracy points over the same templates and rows; 95% CI: two-level bootstrap (templates and rows resampled, ")
            .Append(PairedStatistics.DefaultResamples.ToString("N0", CultureInfo.InvariantCulture)).Append(" resamples, seed ")
            .Append(PairedStatistics.DefaultSeed).Append("); p: Wilcoxon signed-rank test across templates (normal approximation, zero differences dropped).\n\n");
        IReadOnlyList<string> header = PairedComparison.Header(reference);
        text.Append("| ").AppendJoin(" | ", header).Append(" |\n");
        text.Append("|:---|:---|").AppendJoin("|", Enumerable.Repeat("---:", header.Count - 2)).Append("|\n");
        foreach (PairedRow row in paired)
            text.Append("| ").AppendJoin(" | ", PairedComparison.Cells(row).Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");
        foreach (PairedRow row in paired.Where(r => r.Note is not null))
            text.Append("\n").Append(row.Method).Append(" (").Append(row.TestSet).Append("): ").Append(row.Note).Append('.');
        if (paired.Any(r => r.Note is not null))
            text.Append('\n');
        return text.ToString();
    }

    /// <summary>The comparison as JSON: the reference and the bootstrap settings, the mismatches, every evaluation's summary, and the paired rows.</summary>
    public static string ToJson(ComparisonTable table, IReadOnlyList<PairedRow> paired, string? reference, IReadOnlyList<string> mismatches)
    {
        var evaluations = new JsonArray();
        foreach (EvalResult r in table.Rows)
            evaluations.Add(new JsonObject
            {
                ["method"] = r.Method,
                ["testSet"] = r.TestSet,
                ["file"] = r.SourcePath,
                ["mismatch"] = table.Marked.Contains(r.Label),
                ["templateCount"] = r.Templates.Count,
                ["exampleCount"] = r.ExampleCount,
                ["meanAccuracy"] = r.MeanAccuracy,
                ["accuracyStdDev"] = r.AccuracyStdDev,
                ["minAccuracy"] = r.MinAccuracy,
                ["maxAccuracy"] = r.MaxAccuracy,
                ["topXThreshold"] = r.TopXThreshold,
                ["topXShare"] = r.TopXShare,
            });
        var pairs = new JsonArray();
        foreach (PairedRow p in paired)
            pairs.Add(new JsonObject
            {
                ["method"] = p.Method,
                ["reference"] = p.Reference,
                ["testSet"] = p.TestSet,
                ["templates"] = p.Templates,
                ["rows"] = p.Rows,
                ["meanDifference"] = double.IsNaN(p.MeanDifference) ? null : p.MeanDifference,
                ["ciLow"] = p.IntervalLow,
                ["ciHigh"] = p.IntervalHigh,
                ["wilcoxonStatistic"] = p.Wilcoxon?.Statistic,
                ["wilcoxonNonZeroPairs"] = p.Wilcoxon?.NonZeroPairs,
                ["wilcoxonZ"] = p.Wilcoxon?.Z,
                ["pValue"] = p.Wilcoxon?.PValue,
                ["note"] = p.Note,
            });
        var json = new JsonObject
        {
            ["task"] = table.Task,
            ["reference"] = reference,
            ["bootstrap"] = new JsonObject
            {
                ["resamples"] = PairedStatistics.DefaultResamples,
                ["seed"] = PairedStatistics.DefaultSeed,
                ["confidence"] = 0.95,
                ["levels"] = "templates and rows",
            },
            ["test"] = "wilcoxon signed-rank across templates, normal approximation, zero differences dropped, tie-corrected variance, two-sided",
            ["mismatches"] = new JsonArray(mismatches.Select(m => (JsonNode?)m).ToArray()),
            ["evaluations"] = evaluations,
            ["paired"] = pairs,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The evaluations named by <c>--run</c> (in order), then those found in <c>--in</c>.</summary>
    public static IReadOnlyList<EvalResult> Read(IReadOnlyList<string> runs, string? folder)
    {
        if (runs.Count == 0 && folder is null)
            throw new CommandInputException("Give the evaluations to compare: --run NAME=FILE.json (repeat it), or --in DIR.");
        var results = new List<EvalResult>();
        foreach (string run in runs)
        {
            int equals = run.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == run.Length - 1)
                throw new CommandInputException($"--run '{run}' is not NAME=FILE.json.");
            results.Add(EvalResultFile.Read(run[(equals + 1)..], run[..equals]));
        }
        if (folder is not null)
        {
            IReadOnlyList<EvalResult> found = EvalResultFolder.Read(folder);
            if (found.Count == 0)
                throw new CommandInputException($"--in: no evaluation files (paft eval output) in '{folder}'.");
            results.AddRange(found);
        }
        return results;
    }
}
