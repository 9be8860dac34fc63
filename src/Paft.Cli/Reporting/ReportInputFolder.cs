namespace Paft.Cli.Reporting;

/// <summary>
/// Gathers a report's content from a folder: every evaluation file (<c>paft eval</c> output) under it; for
/// each, the training log of the model it evaluated (<c>training_log.csv</c> beside the saved model), and any
/// other <c>training_log.csv</c> under the folder (named after its folder); <c>sweep.csv</c> and <c>ablation.csv</c> at its top
/// (of one seed or, from <c>paft sweep --seeds N</c>, aggregated over several), and <c>timings.csv</c> (the methods' costs).
/// </summary>
internal static class ReportInputFolder
{
    public static ReportContent Read(string folder)
    {
        IReadOnlyList<EvalResult> methods = EvalResultFolder.Read(folder);
        if (methods.Count == 0)
            throw new InvalidDataException($"No evaluation files (paft eval output) in '{folder}'.");
        ComparisonTable.From(methods); // one task, distinct names: checked before anything is written

        var curves = new List<(string, TrainingLog)>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (EvalResult method in methods)
        {
            // A model evaluated on both test sets has one curve, not two.
            if (method.Run.TryGetValue("model", out string? model) && Path.Combine(model, TrainingLog.FileName) is var log && File.Exists(log)
                && used.Add(Path.GetFullPath(log)))
                curves.Add((method.Method, TrainingLog.Load(log)));
        }
        foreach (string log in Directory.EnumerateFiles(folder, TrainingLog.FileName, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            // A checkpoint folder keeps a copy of the log of the model beside it.
            string owner = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(log)))!;
            if (used.Add(Path.GetFullPath(log)) && !owner.EndsWith("-checkpoints", StringComparison.Ordinal))
                curves.Add((owner, TrainingLog.Load(log)));
        }

        string sweep = Path.Combine(folder, SweepFile.FileName);
        string ablation = Path.Combine(folder, AblationFile.FileName);
        string timings = Path.Combine(folder, MethodTimingFile.FileName);
        return new ReportContent(
            $"Prompt robustness report — {methods[0].Task}",
            methods,
            curves,
            File.Exists(sweep) ? SweepFile.Load(sweep) : [],
            [])
        {
            Ablation = File.Exists(ablation) ? AblationFile.Load(ablation) : [],
            Timings = File.Exists(timings) ? MethodTimingFile.Load(timings) : [],
        };
    }
}
