using System.Globalization;
using System.Text;

namespace Paft.Cli.Reporting;

/// <summary>
/// The report's cost sections: training time per method (the paper's Table 6: template selection plus
/// fine-tuning) and inference time in generation mode with the mean generated length (Table 2, where the
/// speed-up of a fine-tuned model comes from its shorter answers). A table and a figure each.
/// </summary>
internal static class TimingSection
{
    public const string TrainingFileName = "training_time.png";
    public const string InferenceFileName = "inference_time.png";

    /// <summary>Appends both sections; <paramref name="image"/> writes a figure and returns the name to link.</summary>
    public static void Append(StringBuilder md, IReadOnlyList<MethodTiming> timings, Func<string, byte[], string> image)
    {
        MethodTiming[] trained = Trained(timings);
        if (trained.Length > 0)
            Section(md, "Training time per method (the paper's Table 6)", "Training time per method",
                image(TrainingFileName, TimingPlots.TrainingTime(trained)), TrainingTable(timings),
                "Selection runs the base model on validation examples (TopAccuracy every training template, ZOPO its budget, " +
                "BATprompt every template on clean and noisy inputs); PAFT and plain SFT choose nothing. Times from one run on one machine: compare the ratios.");

        MethodTiming[] generated = Generated(timings);
        if (generated.Length > 0)
            Section(md, "Inference in generation mode (the paper's Table 2)", "Inference time per method",
                image(InferenceFileName, TimingPlots.InferenceTime(generated)), InferenceTable(timings),
                "Greedy decoding one prompt at a time until end-of-sequence or the token limit, test templates in turn; fine-tuned models are merged, " +
                "so every model pays the same per token and the time follows the answer's length.");
    }

    private static void Section(StringBuilder md, string heading, string figureText, string figure, string table, string caption) =>
        md.Append("## ").Append(heading).Append("\n\n")
          .Append("![").Append(figureText).Append("](").Append(figure).Append(")\n\n")
          .Append(table)
          .Append('\n').Append(caption).Append("\n\n");

    /// <summary>Table 6 as Markdown: selection, fine-tuning and total seconds of every trained method, and the total as a multiple of SFT's.</summary>
    public static string TrainingTable(IReadOnlyList<MethodTiming> timings)
    {
        MethodTiming[] trained = Trained(timings);
        if (trained.Length == 0)
            return "";
        MethodTiming reference = trained.FirstOrDefault(t => t.Method == "sft") ?? trained[0];
        var md = new StringBuilder();
        md.Append("| Method | Template selection (s) | Fine-tuning (s) | Total (s) | × ").Append(reference.Method).Append(" |\n|:---|---:|---:|---:|---:|\n");
        foreach (MethodTiming t in trained)
            md.Append(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:F1} | {2:F1} | {3:F1} | {4:F2} |\n",
                t.Method, t.SelectionSeconds, t.TrainingSeconds, t.TotalSeconds, t.TotalSeconds / reference.TotalSeconds));
        return md.ToString();
    }

    /// <summary>Table 2 as Markdown: mean generated length and time per prompt of every measured method, relative to the first.</summary>
    public static string InferenceTable(IReadOnlyList<MethodTiming> timings)
    {
        MethodTiming[] generated = Generated(timings);
        if (generated.Length == 0)
            return "";
        GenerationTiming reference = generated[0].Generation!;
        var md = new StringBuilder();
        md.Append("| Method | Prompts | Mean generated tokens | ms per prompt | × ").Append(generated[0].Method)
          .Append(" | Generated answer right (%) |\n|:---|---:|---:|---:|---:|---:|\n");
        foreach (MethodTiming t in generated)
        {
            GenerationTiming g = t.Generation!;
            md.Append(string.Format(CultureInfo.InvariantCulture, "| {0} | {1} | {2:F2} | {3:F1} | {4:F2} | {5:F1} |\n", t.Method, g.Prompts,
                g.MeanGeneratedTokens, g.MillisecondsPerPrompt,
                reference.MillisecondsPerPrompt > 0 ? g.MillisecondsPerPrompt / reference.MillisecondsPerPrompt : double.NaN, 100 * g.AnswerAccuracy));
        }
        return md.ToString();
    }

    private static MethodTiming[] Trained(IReadOnlyList<MethodTiming> timings) => timings.Where(t => t.TotalSeconds > 0).ToArray();

    private static MethodTiming[] Generated(IReadOnlyList<MethodTiming> timings) => timings.Where(t => t.Generation is not null).ToArray();
}
