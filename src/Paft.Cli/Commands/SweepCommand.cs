using System.CommandLine;
using System.Globalization;
using Paft.Cli.Reporting;
using Paft.Cli.Terminal;
using Paft.MLNet.Demo;
using Paft.MLNet.Evaluation;
using TorchSharp;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft sweep</c>: the paper's scaling study (Figure 6) on the embedded demo task: PAFT trained with
/// growing training pools, every model evaluated on the same unseen test templates; the mean and standard
/// deviation of test accuracy against the number of training templates, as a table, sweep.csv and a plot.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var prompts = new Option<string>("--prompts") { Description = "Training pool sizes, comma-separated (e.g. 1,4,16,64).", DefaultValueFactory = _ => "1,4,16,64" };
        var output = new Option<string>("--out") { Description = "Folder for sweep.csv, the report and the models.", DefaultValueFactory = _ => "paft-sweep" };
        var seed = new Option<int?>("--seed") { Description = "Seed of everything drawn (default: the demo recipe's)." };
        var threads = new Option<int?>("--threads") { Description = "Torch threads (default: one per core)." };
        var quick = new Option<bool>("--quick") { Description = "Toy sizes (seconds); the numbers mean nothing." };
        var command = new Command("sweep", "PAFT on the demo task with growing training pools: test accuracy against the number of templates (the paper's Figure 6).")
        {
            prompts, output, seed, threads, quick,
        };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            int[] sizes = ParseSizes(parseResult.GetValue(prompts)!);
            string folder = Path.GetFullPath(parseResult.GetValue(output)!);
            torch.set_num_threads(Math.Max(1, parseResult.GetValue(threads) ?? Environment.ProcessorCount));
            int seedValue = parseResult.GetValue(seed) ?? new DemoOptions().Seed;
            // The test pool stays a quarter of all templates; the training pool must hold the largest size.
            int templates = Math.Max(new DemoOptions().Templates, (int)Math.Ceiling(sizes.Max() / 0.75) + 4);
            DemoOptions options = parseResult.GetValue(quick)
                ? DemoCommand.QuickOptions(folder, seedValue, Math.Max(12, (int)Math.Ceiling(sizes.Max() / 0.75) + 4))
                : new DemoOptions { OutputDirectory = folder, Seed = seedValue, Templates = templates };

            IReadOnlyList<DemoSweepPoint> points = ProgressDisplay.Run(stdout, "sweep", progress =>
                DemoRecipe.Sweep(options, sizes, new DemoCommand.StageProgress(progress)));

            var sweep = points.Select(p => new SweepPoint(p.TrainingTemplates, p.Result.Mean, p.Result.StandardDeviation)).ToArray();
            SweepFile.Save(sweep, Path.Combine(folder, SweepFile.FileName));
            stdout.WriteLine();
            stdout.WriteLine("| Training templates | Mean ± Std | Min |");
            stdout.WriteLine("|---:|---:|---:|");
            foreach (DemoSweepPoint p in points)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {p.TrainingTemplates} | {100 * p.Result.Mean:F2} ± {100 * p.Result.StandardDeviation:F2} | {100 * p.Result.Min:F2} |"));

            ReportFiles files = ReportWriter.Write(new ReportContent(
                "PAFT scaling study: test accuracy against the number of training templates",
                points.Select(p => DemoCommand.ToEvalResult(p.Result, options, "where-is")).ToArray(),
                points.Select(p => (p.Result.Name, DemoCommand.Log(p.Result.Losses))).ToArray(),
                sweep,
                [("pool sizes", string.Join(", ", sizes)), ("seed", seedValue.ToString(CultureInfo.InvariantCulture))]), folder);
            stdout.WriteLine($"Report: {files.Markdown}");
            return CommandExit.Success;
        }));
        return command;
    }

    private static int[] ParseSizes(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new CommandInputException($"--prompts: '{parts[i]}' is not a positive whole number.");
        if (sizes.Length == 0)
            throw new CommandInputException("--prompts: give at least one pool size.");
        return sizes;
    }
}
