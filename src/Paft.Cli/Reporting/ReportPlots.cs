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
    /// </summary>
    public static byte[] AccuracyDistribution(IReadOnlyList<EvalResult> methods)
    {
        var plot = new Plot();
        var random = new Random(0); // fixed jitter: the same report twice gives the same picture
        for (int m = 0; m < methods.Count; m++)
        {
            double[] accuracies = methods[m].Templates.Select(t => 100 * t.Accuracy).Order().ToArray();
            Color color = plot.Add.Palette.GetColor(m);
            var box = new Box
            {
                Position = m,
                BoxMin = Quantile(accuracies, 0.25),
                BoxMax = Quantile(accuracies, 0.75),
                BoxMiddle = Quantile(accuracies, 0.5),
                WhiskerMin = accuracies[0],
                WhiskerMax = accuracies[^1],
                Width = 0.5,
                FillColor = color.WithAlpha(0.25),
            };
            var boxes = plot.Add.Boxes([box]);
            boxes.FillColor = color.WithAlpha(0.2); // see-through, so the points and the median line show
            boxes.LineColor = color;
            boxes.LineWidth = 1.5f;

            double[] xs = accuracies.Select(_ => m + (random.NextDouble() - 0.5) * 0.3).ToArray();
            var points = plot.Add.Markers(xs, accuracies, MarkerShape.FilledCircle, 5, color);
            points.MarkerStyle.FillColor = color.WithAlpha(0.7);
        }

        if (methods.Select(r => r.TopXThreshold).Distinct().Count() == 1)
        {
            var line = plot.Add.HorizontalLine(100 * methods[0].TopXThreshold, 1.5f, Colors.Gray, LinePattern.Dashed);
            line.LegendText = $"Top-X threshold ({100 * methods[0].TopXThreshold:0.##}%)";
            plot.ShowLegend(Alignment.UpperRight);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, methods.Count).Select(i => (double)i).ToArray(), methods.Select(r => r.Method).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsX(-0.6, methods.Count - 0.4);
        double lowest = methods.Min(r => r.MinAccuracy);
        plot.Axes.SetLimitsY(Math.Max(0, Math.Floor(100 * lowest / 10) * 10 - 5), 101);
        plot.Title($"Accuracy under each test template — {methods[0].Task} ({methods.Max(r => r.Templates.Count)} templates)");
        plot.YLabel("Accuracy on one test template (%)");
        plot.XLabel("Method");
        return Png(plot);
    }

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

    /// <summary>Mean test accuracy ± one standard deviation across test templates, against the training pool size on a log₂ axis.</summary>
    public static byte[] Sweep(IReadOnlyList<SweepPoint> points)
    {
        SweepPoint[] ordered = points.OrderBy(p => p.TrainingTemplates).ToArray();
        double[] xs = ordered.Select(p => Math.Log2(p.TrainingTemplates)).ToArray();
        double[] means = ordered.Select(p => 100 * p.MeanAccuracy).ToArray();
        double[] stds = ordered.Select(p => 100 * p.AccuracyStdDev).ToArray();

        var plot = new Plot();
        var bars = plot.Add.ErrorBar(xs, means, stds);
        bars.Color = Colors.Gray;
        var line = plot.Add.Scatter(xs, means);
        line.LineWidth = 2;
        line.MarkerSize = 7;
        line.LegendText = "mean ± std over test templates";
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

    /// <summary>
    /// The K × epochs ablation: mean test accuracy ± one standard deviation across test templates against K on a
    /// log₂ axis, one line per epoch count; the lines are nudged apart sideways so their error bars stay distinct.
    /// </summary>
    public static byte[] Ablation(IReadOnlyList<AblationPoint> points)
    {
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
            var bars = plot.Add.ErrorBar(xs, means, line.Select(p => 100 * p.AccuracyStdDev).ToArray());
            bars.Color = color;
            var scatter = plot.Add.Scatter(xs, means, color);
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            scatter.LegendText = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{epochs[i]} epoch(s): mean ± std over test templates");
        }
        plot.ShowLegend(Alignment.LowerRight);
        double[] tickXs = ks.Select(k => Math.Log2(k)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            tickXs, ks.Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(tickXs.Min() - 0.5, tickXs.Max() + 0.5);
        double low = points.Min(p => 100 * (p.MeanAccuracy - p.AccuracyStdDev));
        double high = points.Max(p => 100 * (p.MeanAccuracy + p.AccuracyStdDev));
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

    private static byte[] Png(Plot plot)
    {
        plot.Axes.Title.Label.FontSize = 18;
        plot.Axes.Left.Label.FontSize = 15;
        plot.Axes.Bottom.Label.FontSize = 15;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
