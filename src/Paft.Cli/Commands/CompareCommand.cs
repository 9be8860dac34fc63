using System.CommandLine;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft compare (--run NAME=FILE.json)... | --in DIR [--out DIR]</c>: the evaluations of several methods side by side,
/// in the paper's Table 1 shape (mean ± std, min, max, Top-X%), on the console and as <c>comparison.md</c> with a
/// per-template accuracy figure. Adversarial evaluations (run <c>testSet</c>) get their own columns beside the clean ones.
/// </summary>
internal static class CompareCommand
{
    public const string MarkdownFileName = "comparison.md";

    public static Command Create()
    {
        var runs = new Option<string[]>("--run") { Description = "NAME=FILE.json: an evaluation written by `paft eval`, shown as NAME. Repeat for each method.", AllowMultipleArgumentsPerToken = false };
        var input = new Option<string>("--in") { Description = "A folder of evaluation JSON files (searched recursively; each named after its file, or its folder for eval.json; X.adversarial.json is method X on the adversarial test set)." };
        var output = new Option<string>("--out") { Description = $"The folder to write {MarkdownFileName} and {ReportWriter.DistributionFileName} (per-template accuracy by method) to." };
        var command = new Command("compare", "Compare evaluations of several methods in one table (mean ± std, min, max, Top-X%).") { runs, input, output };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            IReadOnlyList<EvalResult> results = Read(parseResult.GetValue(runs) ?? [], parseResult.GetValue(input));
            ComparisonTable table = ComparisonTable.From(results);
            table.Write(stdout, ProgressDisplay.IsInteractive(stdout));
            if (table.TemplateMismatch is { } mismatch)
                stderr.WriteLine($"warning: {mismatch}");
            if (parseResult.GetValue(output) is { } folder)
                foreach (string path in WriteFiles(table, folder))
                    stdout.WriteLine($"Wrote '{path}'.");
            return CommandExit.Success;
        }));
        return command;
    }

    /// <summary>
    /// Writes the per-template accuracy figure, then <see cref="MarkdownFileName"/> (the table, and a link to the
    /// figure) into <paramref name="folder"/>; returns the paths, the Markdown last.
    /// </summary>
    public static IReadOnlyList<string> WriteFiles(ComparisonTable table, string folder)
    {
        string outFolder = Path.GetFullPath(folder);
        string figure = Path.Combine(outFolder, ReportWriter.DistributionFileName);
        byte[] png = ReportPlots.AccuracyDistribution(table.Rows);
        AtomicFile.Write(figure, stream => stream.Write(png));

        var markdown = new System.Text.StringBuilder();
        markdown.Append("# Accuracy over test templates — ").Append(table.Task).Append("\n\n").Append(table.ToMarkdown());
        if (table.IsPaired)
            markdown.Append("\nTemplates: clean / adversarial. Adversarial: seeded variants of the test templates (`paft eval --adversarial`); ")
                    .Append("— where a method was not evaluated on that set.\n");
        if (table.TemplateMismatch is { } mismatch)
            markdown.Append("\n**Note:** ").Append(mismatch).Append('\n');
        markdown.Append("\n![Per-template accuracy by method](").Append(ReportWriter.DistributionFileName).Append(")\n");
        string path = Path.Combine(outFolder, MarkdownFileName);
        byte[] bytes = new System.Text.UTF8Encoding(false).GetBytes(markdown.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
        return [figure, path];
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
