namespace Paft.MLNet.Demo;

/// <summary>What <see cref="DemoRecipe.Run"/> measured: per method, per unseen test template accuracies and training curves.</summary>
/// <param name="Options">The settings the run used (seeds included).</param>
/// <param name="TaskName">The embedded task's name.</param>
/// <param name="TrainTemplates">The training pool (id → template text).</param>
/// <param name="TestTemplates">The unseen test pool (id → template text).</param>
/// <param name="AdversarialTemplates">The adversarial test set: seeded adversarial variants of the test pool (id → template text).</param>
/// <param name="Methods">Base, SFT, TopAccuracy SFT, ZOPO SFT, BATprompt SFT and PAFT, in that order.</param>
/// <param name="PretrainLosses">Loss of every pretraining step.</param>
/// <param name="PretrainTokens">Tokens processed by pretraining.</param>
/// <param name="BasePlainAccuracy">The base model on the test examples asked in the plain pretraining form
/// ("Where is the key? The key is in the" → the right colour among the four containers'): the skill, without the format.</param>
/// <param name="Timings">Seconds per stage (<c>vocabulary</c>, <c>pretrain</c>, <c>evaluate-base</c>, <c>select</c>, each method, <c>total</c>) as measured in this run.</param>
/// <param name="ModelParameters">Parameters of the base model.</param>
/// <param name="VocabularySize">Tokens of the word-level vocabulary (specials and bytes included).</param>
public sealed record DemoResult(
    DemoOptions Options,
    string TaskName,
    IReadOnlyList<KeyValuePair<string, string>> TrainTemplates,
    IReadOnlyList<KeyValuePair<string, string>> TestTemplates,
    IReadOnlyList<KeyValuePair<string, string>> AdversarialTemplates,
    IReadOnlyList<DemoMethodResult> Methods,
    IReadOnlyList<double> PretrainLosses,
    long PretrainTokens,
    double BasePlainAccuracy,
    IReadOnlyDictionary<string, double> Timings,
    long ModelParameters,
    int VocabularySize);

/// <summary>One method's results.</summary>
/// <param name="Name"><c>base</c>, <c>sft</c>, <c>sft-top</c>, <c>zopo</c>, <c>batprompt</c> or <c>paft</c> (<c>paft-…</c> in a sweep).</param>
/// <param name="TrainTemplateIds">The templates it was fine-tuned with (empty for the base).</param>
/// <param name="TestAccuracies">Accuracy on the test examples under each unseen test template, by template id, in pool order.</param>
/// <param name="OwnTemplateAccuracy">For single-template SFT: accuracy on the test examples under its own training template; otherwise null.</param>
/// <param name="Losses">Training loss of every fine-tuning step (empty for the base).</param>
/// <param name="ModelDirectory">Where the model was written (merged weights; the adapter in <c>adapter/</c>), or null.</param>
/// <param name="AdversarialAccuracies">Accuracy under each adversarial test template, by id (empty in a sweep).</param>
/// <param name="Timing">How long choosing the template and fine-tuning took, and generation-mode inference.</param>
/// <param name="Selection">How the training template was chosen (TopAccuracy, ZOPO, BATprompt), or null.</param>
public sealed record DemoMethodResult(
    string Name,
    IReadOnlyList<string> TrainTemplateIds,
    IReadOnlyList<KeyValuePair<string, double>> TestAccuracies,
    double? OwnTemplateAccuracy,
    IReadOnlyList<double> Losses,
    string? ModelDirectory,
    IReadOnlyList<KeyValuePair<string, double>> AdversarialAccuracies,
    DemoMethodTiming Timing,
    string? Selection)
{
    /// <summary>Mean accuracy over the test templates.</summary>
    public double Mean => TestAccuracies.Average(a => a.Value);

    /// <summary>Population standard deviation of the accuracy over the test templates.</summary>
    public double StandardDeviation
    {
        get
        {
            double mean = Mean;
            return Math.Sqrt(TestAccuracies.Average(a => (a.Value - mean) * (a.Value - mean)));
        }
    }

    /// <summary>The worst test template's accuracy.</summary>
    public double Min => TestAccuracies.Min(a => a.Value);
}
