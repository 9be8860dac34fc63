using System.CommandLine;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft report --in DIR --out DIR</c>: a Markdown report with PNG figures from the evaluations (and the
/// training logs and sweep results they lead to) found in a folder.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--in")
        {
            Description = "A folder of `paft eval` JSON files (searched recursively), with optional training_log.csv files and sweep.csv.",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "The folder to write report.md and its PNG figures to.", Required = true };
        var command = new Command("report", "Write a Markdown report with plots: per-template accuracy per method, training loss, scaling.") { input, output };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            string folder = parseResult.GetValue(input)!;
            if (!Directory.Exists(folder))
                throw new CommandInputException($"--in: '{folder}' is not a folder.");
            ReportContent content = ReportInputFolder.Read(folder);
            ReportFiles files = ReportWriter.Write(content, parseResult.GetValue(output)!);
            ComparisonTable table = ComparisonTable.From(content.Methods);
            table.Write(stdout, ProgressDisplay.IsInteractive(stdout));
            if (table.TemplateMismatch is { } mismatch)
                stderr.WriteLine($"warning: {mismatch}");
            stdout.WriteLine($"Wrote '{files.Markdown}' with {files.Images.Count} figure(s).");
            return CommandExit.Success;
        }));
        return command;
    }
}
