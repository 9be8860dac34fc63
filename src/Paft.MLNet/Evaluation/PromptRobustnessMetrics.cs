namespace Paft.MLNet.Evaluation;

/// <summary>
/// How robust a model is to the wording of the prompt: its accuracy under each test template and the
/// spread of those accuracies, as the PAFT paper reports them (mean, standard deviation, worst
/// template, Top-X%), plus per-example consistency across templates.
/// </summary>
/// <remarks>Accuracies are fractions in [0, 1], like ML.NET's.</remarks>
public sealed class PromptRobustnessMetrics
{
    private readonly double[] _accuracies;

    internal PromptRobustnessMetrics(string taskName, IReadOnlyList<TemplateEvaluation> templates, double topXThreshold,
        int worstCount, double consistentPredictionShare, double alwaysCorrectShare, double neverCorrectShare)
    {
        TaskName = taskName;
        Templates = templates;
        var accuracies = templates.Select(t => t.Accuracy).ToArray();
        _accuracies = accuracies;
        MeanAccuracy = AccuracyStatistics.Mean(accuracies);
        AccuracyStdDev = AccuracyStatistics.PopulationStdDev(accuracies);
        AccuracySampleStdDev = AccuracyStatistics.SampleStdDev(accuracies);
        MinAccuracy = accuracies.Min();
        MaxAccuracy = accuracies.Max();
        MedianAccuracy = AccuracyStatistics.Median(accuracies);
        TopXThreshold = topXThreshold;
        TopXShare = AccuracyStatistics.ShareReaching(accuracies, topXThreshold);
        // Stable order: equal accuracies keep the input order of the templates.
        WorstTemplates = templates.OrderBy(t => t.Accuracy).Take(worstCount).ToArray();
        ConsistentPredictionShare = consistentPredictionShare;
        AlwaysCorrectShare = alwaysCorrectShare;
        NeverCorrectShare = neverCorrectShare;
    }

    /// <summary>The task evaluated.</summary>
    public string TaskName { get; }

    /// <summary>Each template's result, in input order.</summary>
    public IReadOnlyList<TemplateEvaluation> Templates { get; }

    /// <summary>Number of examples each template was evaluated on.</summary>
    public int ExampleCount => Templates[0].Count;

    /// <summary>Mean accuracy across templates.</summary>
    public double MeanAccuracy { get; }

    /// <summary>Population standard deviation of the accuracies (divide by n; numpy's default). The
    /// test templates are the whole set being described, so this is what we report as "std";
    /// see <see cref="AccuracySampleStdDev"/> for the n-1 form.</summary>
    public double AccuracyStdDev { get; }

    /// <summary>Sample standard deviation of the accuracies (divide by n-1; pandas' default), or null
    /// with a single template.</summary>
    public double? AccuracySampleStdDev { get; }

    /// <summary>The worst template's accuracy.</summary>
    public double MinAccuracy { get; }

    /// <summary>The best template's accuracy.</summary>
    public double MaxAccuracy { get; }

    /// <summary>The median accuracy (mean of the two middle ones for an even count).</summary>
    public double MedianAccuracy { get; }

    /// <summary>Best minus worst accuracy.</summary>
    public double Spread => MaxAccuracy - MinAccuracy;

    /// <summary>The threshold used for <see cref="TopXShare"/>.</summary>
    public double TopXThreshold { get; }

    /// <summary>Top-X%: the share of templates whose accuracy reaches <see cref="TopXThreshold"/>.</summary>
    public double TopXShare { get; }

    /// <summary>The worst templates, lowest accuracy first.</summary>
    public IReadOnlyList<TemplateEvaluation> WorstTemplates { get; }

    /// <summary>The share of examples that get the same prediction under every template ("no answer"
    /// under every template counts as the same prediction).</summary>
    public double ConsistentPredictionShare { get; }

    /// <summary>The share of examples answered correctly under every template.</summary>
    public double AlwaysCorrectShare { get; }

    /// <summary>The share of examples answered correctly under no template.</summary>
    public double NeverCorrectShare { get; }

    /// <summary>
    /// What read the answers from generated text (<see cref="ExamplePrediction.Extractor"/>, e.g.
    /// <see cref="AnswerExtractor.Version"/>); null when the options were scored by likelihood.
    /// </summary>
    public string? Extractor { get; internal init; }

    /// <summary>Top-X% for another threshold (a fraction, e.g. 0.9).</summary>
    public double TopXShareAt(double threshold) => AccuracyStatistics.ShareReaching(_accuracies, threshold);

    /// <summary>The summary and per-template entries as indented JSON (the format of <c>paft eval</c>).</summary>
    public string ToJson() => RobustnessReportJson.Write(this);

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically (a temporary file in
    /// the same folder, then a rename), creating the folder if needed.</summary>
    public void SaveJson(string path) => RobustnessReportJson.Save(this, path);
}
