using Paft.MLNet.Evaluation;

namespace Paft.Demo;

/// <summary>What <see cref="DemoRecipe.Run"/> measured: per method, the library's robustness metrics on the unseen test templates, and training curves.</summary>
/// <param name="Options">The settings the run used (seeds included).</param>
/// <param name="TaskName">The embedded task's name.</param>
/// <param name="TrainTemplates">The training pool (id → template text).</param>
/// <param name="TestTemplates">The unseen test pool (id → template text).</param>
/// <param name="AdversarialTemplates">The adversarial test set: seeded adversarial variants of the test pool (id → template text).</param>
/// <param name="Methods">Base, SFT, TopAccuracy SFT, ZOPO SFT, BATprompt SFT and PAFT, in that order.</param>
/// <param name="Base">The pretrained base model and what went into it.</param>
/// <param name="Timings">Seconds per stage (<c>vocabulary</c>, <c>pretrain</c>, <c>evaluate-base</c>, each method, <c>total</c>) as measured in this run.</param>
public sealed record DemoResult(
    DemoOptions Options,
    string TaskName,
    IReadOnlyList<KeyValuePair<string, string>> TrainTemplates,
    IReadOnlyList<KeyValuePair<string, string>> TestTemplates,
    IReadOnlyList<KeyValuePair<string, string>> AdversarialTemplates,
    IReadOnlyList<DemoMethodResult> Methods,
    DemoBase Base,
    IReadOnlyDictionary<string, double> Timings);

/// <summary>One method's results, measured with <c>mlContext.Paft().Evaluate</c>.</summary>
/// <param name="Name"><c>base</c>, <c>sft</c>, <c>sft-top</c>, <c>zopo</c>, <c>batprompt</c> or <c>paft</c> (<c>paft-…</c> in a sweep).</param>
/// <param name="TrainTemplateIds">The templates it was fine-tuned with (empty for the base).</param>
/// <param name="Clean">Its robustness metrics on the unseen test templates.</param>
/// <param name="Adversarial">Its robustness metrics on the adversarial test templates (null in a sweep).</param>
/// <param name="OwnTemplateAccuracy">For single-template SFT: accuracy on the test examples under its own training template; otherwise null.</param>
/// <param name="Losses">Training loss of every fine-tuning step (empty for the base).</param>
/// <param name="ModelDirectory">Where the model was written (<c>PaftTransformer.Save</c>'s folder; the base's checkpoint folder for the base), or null.</param>
/// <param name="Timing">How long choosing the template and fine-tuning took, and generation-mode inference.</param>
/// <param name="Selection">How the training template was chosen (TopAccuracy, ZOPO, BATprompt), or null.</param>
public sealed record DemoMethodResult(
    string Name,
    IReadOnlyList<string> TrainTemplateIds,
    PromptRobustnessMetrics Clean,
    PromptRobustnessMetrics? Adversarial,
    double? OwnTemplateAccuracy,
    IReadOnlyList<double> Losses,
    string? ModelDirectory,
    DemoMethodTiming Timing,
    string? Selection)
{
    /// <summary>Accuracy on the test examples under each unseen test template, by template id, in pool order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> TestAccuracies =>
        Clean.Templates.Select(t => new KeyValuePair<string, double>(t.TemplateId, t.Accuracy)).ToList();

    /// <summary>Mean accuracy over the test templates.</summary>
    public double Mean => Clean.MeanAccuracy;

    /// <summary>Population standard deviation of the accuracy over the test templates.</summary>
    public double StandardDeviation => Clean.AccuracyStdDev;

    /// <summary>The worst test template's accuracy.</summary>
    public double Min => Clean.MinAccuracy;
}
