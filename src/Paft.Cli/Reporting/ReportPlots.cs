using ScottPlot;

namespace Paft.Cli.Reporting;

/// <summary>
/// The report's figures as PNG bytes, drawn with ScottPlot: per-template accuracy distributions (the paper's
/// Figures 4–5), training loss curves, test accuracy against the number of training templates (Figure 6) and
/// against PAFT's K per epoch count (Table 3).
/// </summary>
internal static class ReportPlots
{
    public const int Width = 900;
    public const int Height = 540;

    /// <summary>
    /// One box a method (quartiles, whiskers at the best and worst template) with every template's accuracy
    /// drawn over it as a point, spread sideways so equal accuracies stay visible; a dashed line at Top-X.
    /// When any evaluation is adversarial, a method's clean and adversarial boxes stand side by side, coloured by
    /// test set (the legend says which is which), methods in the order they first appear.
    /// </summary>
    public static byte[] AccuracyDistribution(IReadOnlyList<EvalResult> evaluations)
    {
        var plot = new Plot();
        var random = new Random(0); // fixed jitter: the same report twice gives the same picture
        string[] methods = evaluations.Select(r => r.Method).Distinct(StringComparer.Ordinal).ToArray();
        bool paired = evaluations.Any(r => r.IsAdversarial);
        if (paired)
        {
            Color clean = plot.Add.Palette.GetColor(0), adversarial = plot.Add.Palette.GetColor(1);
            foreach (EvalResult r in evaluations)
            {
                int m = Array.IndexOf(methods, r.Method);
                AddBox(plot, m + (r.IsAdversarial ? 0.2 : -0.2), 0.34, r, r.IsAdversarial ? adversarial : clean, random);
            }
            // One legend entry a test set, not one a box: the colour means the set.
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = SetLegend(evaluations, false, "Clean test templates"), FillColor = clean.WithAlpha(0.35), LineColor = clean, LineWidth = 1.5f });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = SetLegend(evaluations, true, "Adversarial variants"), FillColor = adversarial.WithAlpha(0.35), LineColor = adversarial, LineWidth = 1.5f });
        }
        else
        {
            for (int m = 0; m < evaluations.Count; m++)
                AddBox(plot, m, 0.5, evaluations[m], plot.Add.Palette.GetColor(m), random);
        }

        if (evaluations.Select(r => r.TopXThreshold).Distinct().Count() == 1)
        {
            var line = plot.Add.HorizontalLine(100 * evaluations[0].TopXThreshold, 1.5f, Colors.Gray, LinePattern.Dashed);
            line.LegendText = $"Top-X threshold ({100 * evaluations[0].TopXThreshold:0.##}%)";
        }
        if (paired || evaluations.Select(r => r.TopXThreshold).Distinct().Count() == 1)
        {
            // Under the plot, not over the data: boxes reach every corner (a good method's whisker touches 100%).
            plot.ShowLegend(Edge.Bottom);
            plot.Legend.Orientation = Orientation.Horizontal;
        }

        int count = paired ? methods.Length : evaluations.Count;
        string[] labels = paired ? methods : evaluations.Select(r => r.Method).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, count).Select(i => (double)i).ToArray(), labels);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsX(-0.6, count - 0.4);
        // Names that would overlap side by side (a sweep's paft-n72-k4-e3 ...) are slanted instead.
        if (labels.Sum(l => l.Length + 2) * 8 > Width - 120)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 8 * labels.Max(l => l.Length) * 0.6f + 30;
        }
        double lowest = evaluations.Min(r => r.MinAccuracy);
        double bottom = Math.Max(0, Math.Floor(100 * lowest / 10) * 10 - 5);
        // Paired: a little room under 0 so that a template at 0% (common under adversarial edits) is not cut in half.
        plot.Axes.SetLimitsY(paired && bottom == 0 ? -2 : bottom, 101);
        // Paired: a shorter lead, so that the title with both counts fits the figure's width.
        plot.Title(paired
            ? $"Per-template accuracy — {evaluations[0].Task} ({CountOf(evaluations, false)} clean, {CountOf(evaluations, true)} adversarial templates)"
            : $"Accuracy under each test template — {evaluations[0].Task} ({evaluations.Max(r => r.Templates.Count)} templates)");
        plot.YLabel("Accuracy on one test template (%)");
        plot.XLabel("Method");
        return Png(plot);
    }

    /// <summary>A box of one evaluation's per-template accuracies at <paramref name="position"/>, with the accuracies over it as jittered points.</summary>
    private static void AddBox(Plot plot, double position, double width, EvalResult evaluation, Color color, Random random)
    {
        double[] accuracies = evaluation.Templates.Select(t => 100 * t.Accuracy).Order().ToArray();
        var box = new Box
        {
            Position = position,
            BoxMin = Quantile(accuracies, 0.25),
            BoxMax = Quantile(accuracies, 0.75),
            BoxMiddle = Quantile(accuracies, 0.5),
            WhiskerMin = accuracies[0],
            WhiskerMax = accuracies[^1],
            Width = width,
            FillColor = color.WithAlpha(0.25),
        };
        var boxes = plot.Add.Boxes([box]);
        boxes.FillColor = color.WithAlpha(0.2); // see-through, so the points and the median line show
        boxes.LineColor = color;
        boxes.LineWidth = 1.5f;

        double[] xs = accuracies.Select(_ => position + (random.NextDouble() - 0.5) * width * 0.6).ToArray();
        var points = plot.Add.Markers(xs, accuracies, MarkerShape.FilledCircle, 5, color);
        points.MarkerStyle.FillColor = color.WithAlpha(0.7);
    }

    private static string SetLegend(IReadOnlyList<EvalResult> evaluations, bool adversarial, string name) =>
        evaluations.Any(r => r.IsAdversarial == adversarial) ? $"{name} ({CountOf(evaluations, adversarial)})" : $"{name} (none)";

    /// <summary>The most templates any evaluation of the set has.</summary>
    private static int CountOf(IReadOnlyList<EvalResult> evaluations, bool adversarial) =>
        evaluations.Where(r => r.IsAdversarial == adversarial).Select(r => r.Templates.Count).DefaultIfEmpty(0).Max();

    /// <summary>Training loss against optimizer step, one line a method.</summary>
    public static byte[] LossCurves(IReadOnlyList<(string Method, TrainingLog Log)> curves)
    {
        var plot = new Plot();
        for (int i = 0; i < curves.Count; i++)
        {
            IReadOnlyList<TrainingLogEntry> entries = curves[i].Log.Entries;
            var line = plot.Add.Scatter(entries.Select(e => (double)e.Step).ToArray(), entries.Select(e => e.Loss).ToArray(), plot.Add.Palette.GetColor(i));
            line.LegendText = curves[i].Method;
            line.LineWidth = 2;
            line.MarkerSize = entries.Count <= 50 ? 4 : 0;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true }; // steps are whole
        plot.ShowLegend(Alignment.UpperRight);
        plot.Title("Training loss");
        plot.XLabel("Optimizer step");
        plot.YLabel("Loss on the answer tokens (nats)");
        return Png(plot);
    }

    /// <summary>
    /// Mean test accuracy ± one standard deviation against the training pool size on a log₂ axis: the std across
    /// test templates for one seed; over several seeds, the mean over the seeds ± the std across seeds (the legend says which).
    /// </summary>
    public static byte[] Sweep(IReadOnlyList<SweepPoint> points)
    {
        SweepPoint[] ordered = points.OrderBy(p => p.TrainingTemplates).ToArray();
        bool seeds = ordered.Any(p => p.Seeds > 1);
        double[] xs = ordered.Select(p => Math.Log2(p.TrainingTemplates)).ToArray();
        double[] means = ordered.Select(p => 100 * p.MeanAccuracy).ToArray();
        double[] stds = ordered.Select(p => 100 * (seeds ? p.SeedStdDev : p.AccuracyStdDev)).ToArray();

        var plot = new Plot();
        var bars = plot.Add.ErrorBar(xs, means, stds);
        bars.Color = Colors.Gray;
        var line = plot.Add.Scatter(xs, means);
        line.LineWidth = 2;
        line.MarkerSize = 7;
        line.LegendText = seeds ? SeedsLegend(ordered.Max(p => p.Seeds), "") : "mean ± std over test templates";
        plot.ShowLegend(Alignment.LowerRight);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            xs, ordered.Select(p => p.TrainingTemplates.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(xs.Min() - 0.5, xs.Max() + 0.5);
        plot.Axes.SetLimitsY(Math.Max(0, means.Zip(stds, (m, s) => m - s).Min() - 5), Math.Min(100, means.Zip(stds, (m, s) => m + s).Max() + 5));
        plot.Title("Test accuracy against the number of training templates");
        plot.XLabel("Training templates (log scale)");
        plot.YLabel("Test accuracy (%)");
        return Png(plot);
    }

    /// <summary>The legend of a line over several seeds: which mean and which spread.</summary>
    private static string SeedsLegend(int seeds, string lead) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{lead}mean over {seeds} seeds ± std across seeds");

    /// <summary>
    /// The K × epochs ablation: mean test accuracy ± one standard deviation (across test templates for one seed,
    /// across seeds over several) against K on a log₂ axis, one line per epoch count; the lines are nudged apart
    /// sideways so their error bars stay distinct.
    /// </summary>
    public static byte[] Ablation(IReadOnlyList<AblationPoint> points)
    {
        bool seeds = points.Any(p => p.Seeds > 1);
        double Spread(AblationPoint p) => seeds ? p.SeedStdDev : p.AccuracyStdDev;
        int[] epochs = points.Select(p => p.Epochs).Distinct().Order().ToArray();
        int[] ks = points.Select(p => p.RedrawEverySteps).Distinct().Order().ToArray();
        var plot = new Plot();
        for (int i = 0; i < epochs.Length; i++)
        {
            AblationPoint[] line = points.Where(p => p.Epochs == epochs[i]).OrderBy(p => p.RedrawEverySteps).ToArray();
            double nudge = epochs.Length == 1 ? 0 : 0.12 * (i - (epochs.Length - 1) / 2.0);
            double[] xs = line.Select(p => Math.Log2(p.RedrawEverySteps) + nudge).ToArray();
            double[] means = line.Select(p => 100 * p.MeanAccuracy).ToArray();
            Color color = plot.Add.Palette.GetColor(i);
            var bars = plot.Add.ErrorBar(xs, means, line.Select(p => 100 * Spread(p)).ToArray());
            bars.Color = color;
            var scatter = plot.Add.Scatter(xs, means, color);
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            scatter.LegendText = seeds
                ? SeedsLegend(points.Max(p => p.Seeds), string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{epochs[i]} epoch(s): "))
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{epochs[i]} epoch(s): mean ± std over test templates");
        }
        plot.ShowLegend(Alignment.LowerRight);
        double[] tickXs = ks.Select(k => Math.Log2(k)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            tickXs, ks.Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(tickXs.Min() - 0.5, tickXs.Max() + 0.5);
        double low = points.Min(p => 100 * (p.MeanAccuracy - Spread(p)));
        double high = points.Max(p => 100 * (p.MeanAccuracy + Spread(p)));
        plot.Axes.SetLimitsY(Math.Max(0, low - 5), Math.Min(100, high + 5));
        plot.Title("PAFT: test accuracy against K (redraw every K steps)");
        plot.XLabel("K, optimizer steps per drawn template (log scale)");
        plot.YLabel("Test accuracy (%)");
        return Png(plot);
    }

    /// <summary>Linear interpolation between order statistics (numpy's default) of sorted values.</summary>
    internal static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    internal static byte[] Png(Plot plot)
    {
        plot.Axes.Title.Label.FontSize = 18;
        plot.Axes.Left.Label.FontSize = 15;
        plot.Axes.Bottom.Label.FontSize = 15;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
