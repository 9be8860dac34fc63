using Microsoft.ML;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Evaluation;

/// <summary>
/// Summarises a model's answers under many prompt templates into <see cref="PromptRobustnessMetrics"/>:
/// ML.NET's standard multiclass metrics per template, and the spread of accuracy across templates.
/// It knows nothing of the model: the scoring side produces the <see cref="TemplatePredictions"/>.
/// </summary>
public sealed class PromptRobustnessEvaluator
{
    private readonly MLContext _mlContext;
    private readonly TaskDefinition _task;
    private readonly PromptRobustnessOptions _options;
    private readonly double _topXThreshold;

    /// <summary>Creates an evaluator for <paramref name="task"/>.</summary>
    /// <exception cref="ArgumentException">The settings are out of range.</exception>
    public PromptRobustnessEvaluator(MLContext mlContext, TaskDefinition task, PromptRobustnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(task);
        _mlContext = mlContext;
        _task = task;
        _options = options ?? new PromptRobustnessOptions();
        _topXThreshold = _options.TopXThreshold ?? TopXThresholds.For(task) ?? TopXThresholds.Default;
        if (_topXThreshold is < 0 or > 1)
            throw new ArgumentException($"The Top-X threshold is a fraction in [0, 1]; got {_topXThreshold}.", nameof(options));
        if (_options.WorstCount < 0)
            throw new ArgumentException($"WorstCount must not be negative; got {_options.WorstCount}.", nameof(options));
    }

    /// <summary>Evaluates every template's predictions.</summary>
    /// <exception cref="ArgumentException">No templates, a template id repeated, templates covering
    /// different examples (count or labels differ), or a prediction out of range.</exception>
    public PromptRobustnessMetrics Evaluate(IEnumerable<TemplatePredictions> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var all = templates.ToList();
        CheckSameExamples(all);

        // A "no answer" class is added to every template or to none, so their metrics compare.
        bool withNoAnswerClass = all.Any(t => t.Predictions.Any(p => p.PredictedIndex == -1));
        var evaluations = all
            .Select(t => new TemplateEvaluation(t.TemplateId,
                PredictionMetrics.Evaluate(_mlContext, t.TemplateId, t.Predictions, _task.OptionCount, withNoAnswerClass),
                t.Predictions))
            .ToArray();

        int examples = all[0].Predictions.Count;
        int consistent = 0, alwaysCorrect = 0, neverCorrect = 0;
        for (int i = 0; i < examples; i++)
        {
            int first = all[0].Predictions[i].PredictedIndex;
            if (all.All(t => t.Predictions[i].PredictedIndex == first)) consistent++;
            int correct = all.Count(t => t.Predictions[i].IsCorrect);
            if (correct == all.Count) alwaysCorrect++;
            if (correct == 0) neverCorrect++;
        }

        return new PromptRobustnessMetrics(_task.Name, evaluations, _topXThreshold, _options.WorstCount,
            (double)consistent / examples, (double)alwaysCorrect / examples, (double)neverCorrect / examples)
        {
            Extractor = ExtractorOf(all),
        };
    }

    /// <summary>The extractors named by the predictions, one or several (comma-separated), or null when none names one.</summary>
    private static string? ExtractorOf(IReadOnlyList<TemplatePredictions> templates)
    {
        string[] names = templates.SelectMany(t => t.Predictions).Select(p => p.Extractor).OfType<string>()
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return names.Length == 0 ? null : string.Join(", ", names);
    }

    private static void CheckSameExamples(IReadOnlyList<TemplatePredictions> templates)
    {
        if (templates.Count == 0)
            throw new ArgumentException("No templates to evaluate.", nameof(templates));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        TemplatePredictions reference = templates[0];
        if (reference.Predictions.Count == 0)
            throw new ArgumentException($"Template '{reference.TemplateId}' has no predictions.", nameof(templates));
        foreach (TemplatePredictions template in templates)
        {
            if (!ids.Add(template.TemplateId))
                throw new ArgumentException($"Template id '{template.TemplateId}' appears twice.", nameof(templates));
            if (template.Predictions.Count != reference.Predictions.Count)
                throw new ArgumentException(
                    $"Template '{template.TemplateId}' has {template.Predictions.Count} predictions but '{reference.TemplateId}' has {reference.Predictions.Count}; every template must cover the same examples.",
                    nameof(templates));
            for (int i = 0; i < template.Predictions.Count; i++)
                if (template.Predictions[i].Label != reference.Predictions[i].Label)
                    throw new ArgumentException(
                        $"Template '{template.TemplateId}', example {i}: label {template.Predictions[i].Label} differs from '{reference.TemplateId}' ({reference.Predictions[i].Label}); every template must cover the same examples in the same order.",
                        nameof(templates));
        }
    }
}
