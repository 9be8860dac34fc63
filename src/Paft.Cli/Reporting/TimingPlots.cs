using ScottPlot;

namespace Paft.Cli.Reporting;

/// <summary>The cost figures of a report: training time per method (stacked selection + fine-tuning) and generation-mode inference time.</summary>
internal static class TimingPlots
{
    /// <summary>One stacked bar a method: template selection below, fine-tuning above, total written on top.</summary>
    public static byte[] TrainingTime(IReadOnlyList<MethodTiming> timings)
    {
        var plot = new Plot();
        Color selection = plot.Add.Palette.GetColor(1);
        Color training = plot.Add.Palette.GetColor(0);
        var bars = new List<Bar>();
        for (int i = 0; i < timings.Count; i++)
        {
            MethodTiming t = timings[i];
            bars.Add(new Bar { Position = i, ValueBase = 0, Value = t.SelectionSeconds, FillColor = selection });
            bars.Add(new Bar { Position = i, ValueBase = t.SelectionSeconds, Value = t.TotalSeconds, FillColor = training, Label = $"{t.TotalSeconds:F1} s" });
        }
        var plotted = plot.Add.Bars(bars);
        plotted.ValueLabelStyle.FontSize = 13;
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "fine-tuning", FillColor = training });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "template selection", FillColor = selection });
        plot.ShowLegend(Alignment.UpperLeft);
        MethodAxis(plot, timings.Select(t => t.Method).ToArray());
        plot.Axes.SetLimitsY(0, timings.Max(t => t.TotalSeconds) * 1.2);
        plot.Title("Training time per method");
        plot.YLabel("Seconds");
        return ReportPlots.Png(plot);
    }

    /// <summary>One bar a method: milliseconds per prompt in generation mode, labelled with the mean generated length.</summary>
    public static byte[] InferenceTime(IReadOnlyList<MethodTiming> timings)
    {
        var plot = new Plot();
        var bars = timings.Select((t, i) => new Bar
        {
            Position = i,
            Value = t.Generation!.MillisecondsPerPrompt,
            FillColor = plot.Add.Palette.GetColor(i),
            Label = $"{t.Generation.MeanGeneratedTokens:F1} tokens",
        }).ToList();
        var plotted = plot.Add.Bars(bars);
        plotted.ValueLabelStyle.FontSize = 13;
        MethodAxis(plot, timings.Select(t => t.Method).ToArray());
        plot.Axes.SetLimitsY(0, timings.Max(t => t.Generation!.MillisecondsPerPrompt) * 1.2);
        plot.Title("Inference time per prompt in generation mode (label: mean generated length)");
        plot.YLabel("Milliseconds per prompt");
        return ReportPlots.Png(plot);
    }

    private static void MethodAxis(Plot plot, string[] methods)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, methods.Length).Select(i => (double)i).ToArray(), methods);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimitsX(-0.6, methods.Length - 0.4);
        plot.XLabel("Method");
    }
}
