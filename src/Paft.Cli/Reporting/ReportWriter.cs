using System.Globalization;
using System.Text;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Reporting;

/// <summary>
/// Writes a robustness report into a folder: <c>report.md</c> naming the model, task, pools and seeds, the
/// comparison table (clean and adversarial side by side when there are adversarial evaluations), and PNG figures:
/// per-template accuracy per method (the paper's Figures 4–5; clean and adversarial boxes paired), training
/// loss curves, accuracy against the number of training templates (Figure 6) when there is a sweep,
/// accuracy against PAFT's K per epoch count (Table 3) when there is an ablation, and the methods' training and
/// generation-mode costs (Tables 6 and 2) when they were measured.
/// Every file is written atomically; figures are written before the Markdown that links them.
/// </summary>
internal static class ReportWriter
{
    public const string MarkdownFileName = "report.md";
    public const string DistributionFileName = "accuracy_by_template.png";
    public const string LossFileName = "training_loss.png";
    public const string SweepFileName = "sweep.png";
    public const string AblationFileName = "ablation.png";

    public static ReportFiles Write(ReportContent content, string folder)
    {
        ArgumentNullException.ThrowIfNull(content);
        ComparisonTable table = ComparisonTable.From(content.Methods);
        string outFolder = Path.GetFullPath(folder);
        var images = new List<string>();
        string Image(string name, byte[] png)
        {
            string path = Path.Combine(outFolder, name);
            AtomicFile.Write(path, stream => stream.Write(png));
            images.Add(path);
            return name;
        }

        CultureInfo inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.Append("# ").Append(content.Title).Append("\n\n");
        WriteSetup(md, content);

        md.Append("## Accuracy over the test templates\n\n");
        md.Append(table.ToMarkdown()).Append('\n');
        if (table.TemplateMismatch is { } mismatch)
            md.Append("**Note:** ").Append(mismatch).Append("\n\n");
        md.Append(string.Format(inv,
            "Accuracy in percent over {0} of {1} example(s) each. Mean ± Std: the mean of the per-template accuracies " +
            "and their standard deviation across templates (population). Top-X%: the share of templates whose accuracy reaches X.\n\n",
            TemplateCounts(content.Methods), content.Methods[0].ExampleCount));
        if (table.IsPaired)
            md.Append("Adversarial: the same methods on seeded adversarial variants of the test templates (typos, option layout and ")
              .Append("label style changed, a distractor sentence, the instruction moved after the content; `paft eval --adversarial`). ")
              .Append("Templates: clean / adversarial; — where a method was not evaluated on that set.\n\n");
        md.Append("![Per-template accuracy by method](").Append(Image(DistributionFileName, ReportPlots.AccuracyDistribution(content.Methods))).Append(")\n\n");
        md.Append("Worst templates:\n\n");
        foreach (EvalResult m in content.Methods)
            md.Append("- ").Append(m.Label).Append(": ")
              .AppendJoin(", ", m.Templates.OrderBy(t => t.Accuracy).Take(3).Select(t => string.Format(inv, "`{0}` {1:F2}%", t.Id, 100 * t.Accuracy)))
              .Append('\n');
        md.Append('\n');

        var curves = content.TrainingCurves.Where(c => c.Log.Entries.Count > 0).ToArray();
        if (curves.Length > 0)
        {
            md.Append("## Training\n\n");
            md.Append("![Training loss by method](").Append(Image(LossFileName, ReportPlots.LossCurves(curves))).Append(")\n\n");
            md.Append("| Method | Steps | First loss | Final loss |\n|:---|---:|---:|---:|\n");
            foreach ((string method, TrainingLog log) in curves)
                md.Append(string.Format(inv, "| {0} | {1} | {2:F4} | {3:F4} |\n", method, log.Entries[^1].Step, log.Entries[0].Loss, log.Entries[^1].Loss));
            md.Append('\n');
        }

        if (content.Sweep.Count >= 2)
        {
            md.Append("## Accuracy against the number of training templates\n\n");
            md.Append("![Test accuracy against training pool size](").Append(Image(SweepFileName, ReportPlots.Sweep(content.Sweep))).Append(")\n\n");
            if (content.Sweep.Any(p => p.Seeds > 1))
            {
                md.Append(SeedsNote(content.Sweep.Max(p => p.Seeds)));
                md.Append("| Training templates | Seeds | Mean (%) | Std across seeds (%) | Std across templates (%) |\n|---:|---:|---:|---:|---:|\n");
                foreach (SweepPoint p in content.Sweep.OrderBy(p => p.TrainingTemplates))
                    md.Append(string.Format(inv, "| {0} | {1} | {2:F2} | {3:F2} | {4:F2} |\n",
                        p.TrainingTemplates, p.Seeds, 100 * p.MeanAccuracy, 100 * p.SeedStdDev, 100 * p.AccuracyStdDev));
            }
            else
            {
                md.Append("| Training templates | Mean (%) | Std (%) |\n|---:|---:|---:|\n");
                foreach (SweepPoint p in content.Sweep.OrderBy(p => p.TrainingTemplates))
                    md.Append(string.Format(inv, "| {0} | {1:F2} | {2:F2} |\n", p.TrainingTemplates, 100 * p.MeanAccuracy, 100 * p.AccuracyStdDev));
            }
            md.Append('\n');
        }

        if (content.Ablation.Count > 0)
            WriteAblation(md, content.Ablation, Image(AblationFileName, ReportPlots.Ablation(content.Ablation)));

        if (content.Timings.Count > 0)
            TimingSection.Append(md, content.Timings, Image);

        md.Append("## Sources\n\n");
        foreach (EvalResult m in content.Methods)
            md.Append("- ").Append(m.Label).Append(": `").Append(m.SourcePath).Append("`\n");

        string markdown = Path.Combine(outFolder, MarkdownFileName);
        byte[] bytes = new UTF8Encoding(false).GetBytes(md.ToString());
        AtomicFile.Write(markdown, stream => stream.Write(bytes));
        return new ReportFiles(markdown, images);
    }

    /// <summary>"24 test template(s)", or "24 clean test template(s) and 48 adversarial variant(s)" when there are adversarial evaluations.</summary>
    private static string TemplateCounts(IReadOnlyList<EvalResult> methods)
    {
        int clean = methods.Where(m => !m.IsAdversarial).Select(m => m.Templates.Count).DefaultIfEmpty(0).Max();
        int adversarial = methods.Where(m => m.IsAdversarial).Select(m => m.Templates.Count).DefaultIfEmpty(0).Max();
        return adversarial == 0
            ? $"{clean} test template(s)"
            : $"{clean} clean test template(s) and {adversarial} adversarial variant(s)";
    }

    /// <summary>
    /// The paper's Table 3 shape: a row per K, a column group per epoch count. One seed: mean ± std across templates
    /// and the worst template; several: mean ± std across seeds, the std across templates and the worst template,
    /// each a mean over the seeds.
    /// </summary>
    private static void WriteAblation(StringBuilder md, IReadOnlyList<AblationPoint> points, string image)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        int[] ks = points.Select(p => p.RedrawEverySteps).Distinct().Order().ToArray();
        int[] epochs = points.Select(p => p.Epochs).Distinct().Order().ToArray();
        int[] pools = points.Select(p => p.TrainingTemplates).Distinct().Order().ToArray();
        bool seeds = points.Any(p => p.Seeds > 1);
        md.Append("## PAFT's K and epochs (the paper's Table 3)\n\n");
        md.Append(string.Format(inv,
            "PAFT redrawing the training template every K optimizer steps, for each epoch count, on {0} training template(s); " +
            "test accuracy in percent over the unseen test templates: {1}.\n\n",
            string.Join(", ", pools),
            seeds
                ? "mean ± std across seeds, the std across templates, and the worst template's (each a mean over the seeds)"
                : "mean ± std (population, across templates), and the worst template's"));
        if (seeds)
            md.Append(SeedsNote(points.Max(p => p.Seeds)));
        string columns = seeds ? " {0} epoch(s): mean ± std across seeds | std across templates | min |" : " {0} epoch(s): mean ± std | min |";
        string empty = seeds ? " – | – | – |" : " – | – |";
        md.Append("| K |").AppendJoin("", epochs.Select(e => string.Format(inv, columns, e))).Append('\n');
        md.Append("|---:|").AppendJoin("", epochs.Select(_ => seeds ? "---:|---:|---:|" : "---:|---:|")).Append('\n');
        foreach (int k in ks)
        {
            md.Append("| ").Append(k.ToString(inv)).Append(" |");
            foreach (int e in epochs)
            {
                AblationPoint? p = points.FirstOrDefault(p => p.RedrawEverySteps == k && p.Epochs == e);
                md.Append(p is null ? empty
                    : seeds ? string.Format(inv, " {0:F2} ± {1:F2} | {2:F2} | {3:F2} |", 100 * p.MeanAccuracy, 100 * p.SeedStdDev, 100 * p.AccuracyStdDev, 100 * p.MinAccuracy)
                    : string.Format(inv, " {0:F2} ± {1:F2} | {2:F2} |", 100 * p.MeanAccuracy, 100 * p.AccuracyStdDev, 100 * p.MinAccuracy));
            }
            md.Append('\n');
        }
        md.Append("\n![Test accuracy against K, one line per epoch count](").Append(image).Append(")\n\n");
    }

    /// <summary>What a study over several seeds shows, and which spread is which.</summary>
    private static string SeedsNote(int seeds) => string.Format(CultureInfo.InvariantCulture,
        "Over {0} seeds, each its own splits, pools, base model and fine-tuning. Mean: the mean over the seeds of each seed's mean " +
        "test accuracy. Std across seeds: the sample standard deviation (n − 1) of those per-seed means — the spread to compare " +
        "neighbouring settings against (the error bars in the figure). Std across templates: how much one model's accuracy varies " +
        "between test templates (population), averaged over the seeds — prompt robustness, not run-to-run noise.\n\n", seeds);

    /// <summary>Task, data, test pool and mode once when every method shares them; then model, adapter, training pool and seed per method.</summary>
    private static void WriteSetup(StringBuilder md, ReportContent content)
    {
        IReadOnlyList<EvalResult> methods = content.Methods;
        md.Append("## Setup\n\n");
        md.Append("- Task: ").Append(methods[0].Task).Append('\n');
        string[] shared = ["data", "limit", "prompts", "mode"];
        string[] labels = ["Evaluation data", "Rows evaluated (limit)", "Test template pool", "Scoring mode"];
        var perMethod = new List<(string Key, string Label)> { ("baseModel", "Base model"), ("model", "Evaluated model"), ("adapter", "Adapter"), ("trainingTemplates", "Training templates"), ("seed", "Seed") };
        for (int i = 0; i < shared.Length; i++)
        {
            string[] values = methods.Select(m => m.Run.GetValueOrDefault(shared[i]) ?? "").Distinct().ToArray();
            if (values.Length == 1 && values[0].Length > 0)
                md.Append("- ").Append(labels[i]).Append(": `").Append(values[0]).Append("`\n");
            else if (values.Length > 1)
                perMethod.Add((shared[i], labels[i]));
        }
        // The adversarial settings once when every adversarial evaluation shares them (clean ones have none).
        EvalResult[] adversarial = methods.Where(m => m.IsAdversarial).ToArray();
        foreach ((string key, string label) in new[] { ("adversarialSeed", "Adversarial seed"), ("adversarialVariants", "Adversarial variants per template") })
        {
            string[] values = adversarial.Select(m => m.Run.GetValueOrDefault(key) ?? "").Distinct().ToArray();
            if (values.Length == 1 && values[0].Length > 0)
                md.Append("- ").Append(label).Append(": ").Append(values[0]).Append('\n');
            else if (values.Length > 1)
                perMethod.Add((key, label));
        }
        md.Append("- Test templates: ").Append(adversarial.Length == 0
              ? methods.Max(m => m.Templates.Count).ToString(CultureInfo.InvariantCulture)
              : $"{methods.Where(m => !m.IsAdversarial).Select(m => m.Templates.Count).DefaultIfEmpty(0).Max()} clean, {adversarial.Max(m => m.Templates.Count)} adversarial")
          .Append(", examples per template: ").Append(methods[0].ExampleCount.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach ((string name, string value) in content.Setup)
            md.Append("- ").Append(name).Append(": ").Append(value).Append('\n');
        md.Append('\n');

        var columns = perMethod.Where(c => methods.Any(m => m.Run.ContainsKey(c.Key))).ToArray();
        if (columns.Length == 0)
            return;
        md.Append("| Method | ").AppendJoin(" | ", columns.Select(c => c.Label)).Append(" |\n");
        md.Append("|:---|").AppendJoin("|", columns.Select(_ => ":---")).Append("|\n");
        foreach (EvalResult m in methods)
        {
            md.Append("| ").Append(m.Label);
            foreach ((string key, _) in columns)
            {
                string value = m.Run.GetValueOrDefault(key) ?? "";
                // The evaluated model is the base model itself for the base row: say so rather than repeat the path.
                if (key == "model" && value == m.Run.GetValueOrDefault("baseModel"))
                    value = "(the base model)";
                else if (key == "trainingTemplates" && value.Length == 0)
                    value = "none (not fine-tuned)";
                md.Append(" | ").Append(value.Length == 0 || value.StartsWith('(') || value.StartsWith("none", StringComparison.Ordinal) ? value : $"`{value}`");
            }
            md.Append(" |\n");
        }
        md.Append('\n');
    }
}
