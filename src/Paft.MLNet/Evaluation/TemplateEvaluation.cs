using Microsoft.ML.Data;

namespace Paft.MLNet.Evaluation;

/// <summary>How the model did under one test template.</summary>
public sealed class TemplateEvaluation
{
    internal TemplateEvaluation(string templateId, MulticlassClassificationMetrics metrics, IReadOnlyList<ExamplePrediction> predictions)
    {
        TemplateId = templateId;
        Metrics = metrics;
        Predictions = predictions;
        Count = predictions.Count;
        Correct = predictions.Count(p => p.IsCorrect);
        NoAnswerCount = predictions.Count(p => p.PredictedIndex < 0);
        Accuracy = Count == 0 ? 0 : (double)Correct / Count;
        MeanGeneratedCharacters = MeanOf(predictions.Select(p => p.GeneratedCharacters));
        MeanGeneratedTokens = MeanOf(predictions.Select(p => p.GeneratedTokens));
    }

    /// <summary>The template's id.</summary>
    public string TemplateId { get; }

    /// <summary>ML.NET's standard multiclass metrics for this template (accuracy = <c>MicroAccuracy</c>,
    /// log-loss, confusion matrix, ...).</summary>
    public MulticlassClassificationMetrics Metrics { get; }

    /// <summary>The share of examples answered correctly (equals <c>Metrics.MicroAccuracy</c>).</summary>
    public double Accuracy { get; }

    /// <summary>The prediction for every example, in example order (what paired comparisons of two models need, and what merging the shards of an evaluation exactly needs).</summary>
    public IReadOnlyList<ExamplePrediction> Predictions { get; }

    /// <summary>Number of examples.</summary>
    public int Count { get; }

    /// <summary>Number of examples answered correctly.</summary>
    public int Correct { get; }

    /// <summary>Number of generations in which no option letter was found.</summary>
    public int NoAnswerCount { get; }

    /// <summary>Mean generated length in characters over the examples that report it, or null.</summary>
    public double? MeanGeneratedCharacters { get; }

    /// <summary>Mean generated length in tokens over the examples that report it, or null.</summary>
    public double? MeanGeneratedTokens { get; }

    private static double? MeanOf(IEnumerable<int?> values)
    {
        var known = values.Where(v => v.HasValue).Select(v => (double)v!.Value).ToList();
        return known.Count == 0 ? null : known.Average();
    }
}
