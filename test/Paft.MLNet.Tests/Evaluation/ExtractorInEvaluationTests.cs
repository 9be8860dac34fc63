using System.Text.Json;
using Microsoft.ML;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Evaluation;

/// <summary>An evaluation of generated answers names the extraction that read them; one of likelihood scores does not.</summary>
public sealed class ExtractorInEvaluationTests
{
    [Fact]
    public void Generated_answers_name_the_upstream_function_and_commit_in_the_metrics_and_the_json()
    {
        ExamplePrediction[] predictions = new[] { ("Answer: B) the man", 1), ("A", 0) }
            .Select(o => ExamplePrediction.FromGeneration(o.Item2, AnswerExtractor.Extract(o.Item1, TaskDefinition.Piqa.AnswerLabels)))
            .ToArray();

        PromptRobustnessMetrics metrics = new PromptRobustnessEvaluator(new MLContext(seed: 1), TaskDefinition.Piqa)
            .Evaluate([new TemplatePredictions("g", predictions)]);

        Assert.Equal("opencompass first_option_postprocess @ 98242ff1", metrics.Extractor);
        using JsonDocument json = JsonDocument.Parse(metrics.ToJson());
        Assert.Equal("opencompass first_option_postprocess @ 98242ff1", json.RootElement.GetProperty("extractor").GetString());
    }

    [Fact]
    public void Likelihood_scores_name_no_extractor()
    {
        ExamplePrediction[] predictions = [new(0, 0, [0.7f, 0.3f]), new(1, 0, [0.6f, 0.4f])];

        PromptRobustnessMetrics metrics = new PromptRobustnessEvaluator(new MLContext(seed: 1), TaskDefinition.Piqa)
            .Evaluate([new TemplatePredictions("t", predictions)]);

        Assert.Null(metrics.Extractor);
        using JsonDocument json = JsonDocument.Parse(metrics.ToJson());
        Assert.False(json.RootElement.TryGetProperty("extractor", out _));
    }

    [Fact]
    public void Answers_read_by_different_extractors_are_all_named()
    {
        var ours = ExamplePrediction.FromGeneration(0, AnswerExtractor.Extract("A", TaskDefinition.Piqa.AnswerLabels));
        var theirs = new ExamplePrediction(1, 1, GeneratedCharacters: 1) { Extractor = "lm-eval regex" };

        PromptRobustnessMetrics metrics = new PromptRobustnessEvaluator(new MLContext(seed: 1), TaskDefinition.Piqa)
            .Evaluate([new TemplatePredictions("a", [ours, ours with { Label = 1, PredictedIndex = 1 }]), new TemplatePredictions("b", [ours, theirs])]);

        Assert.Equal("lm-eval regex, opencompass first_option_postprocess @ 98242ff1", metrics.Extractor);
    }
}
