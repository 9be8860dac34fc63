using System.Text.Json.Nodes;
using Microsoft.ML;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Evaluation;

/// <summary>
/// Three templates × four HellaSwag examples (labels 0, 1, 2, 3), every figure worked out by hand:
/// <code>
///            ex0 ex1 ex2 ex3   correct  accuracy
///   t1        0   1   2   0      3       0.75
///   t2        0   1   0   0      2       0.50
///   t3        0   2   2   -      2       0.50   (ex3: no answer found)
/// </code>
/// mean 1.75/3; deviations +1/6, -1/12, -1/12 → Σd² = 1/24 → population std √(1/72), sample std √(1/48);
/// median 0.5; spread 0.25; ex0 is predicted alike and right everywhere, ex3 is right nowhere.
/// </summary>
public sealed class PromptRobustnessEvaluatorTests
{
    private const double Tolerance = 1e-9;

    private static readonly int[] Labels = [0, 1, 2, 3];

    private static TemplatePredictions Template(string id, params int[] predicted) =>
        new(id, predicted.Select((p, i) => new ExamplePrediction(Labels[i], p, GeneratedCharacters: 10 * (i + 1))).ToArray());

    private static PromptRobustnessMetrics EvaluateHandCase(PromptRobustnessOptions? options = null) =>
        new PromptRobustnessEvaluator(new MLContext(seed: 1), TaskDefinition.HellaSwag, options)
            .Evaluate([Template("t1", 0, 1, 2, 0), Template("t2", 0, 1, 0, 0), Template("t3", 0, 2, 2, -1)]);

    [Fact]
    public void Summary_statistics_match_the_hand_computation()
    {
        PromptRobustnessMetrics m = EvaluateHandCase();

        Assert.Equal([0.75, 0.5, 0.5], m.Templates.Select(t => t.Accuracy));
        Assert.Equal(1.75 / 3, m.MeanAccuracy, Tolerance);
        Assert.Equal(Math.Sqrt(1.0 / 72), m.AccuracyStdDev, Tolerance);
        Assert.Equal(Math.Sqrt(1.0 / 48), m.AccuracySampleStdDev!.Value, Tolerance);
        Assert.Equal(0.5, m.MinAccuracy, Tolerance);
        Assert.Equal(0.75, m.MaxAccuracy, Tolerance);
        Assert.Equal(0.5, m.MedianAccuracy, Tolerance);
        Assert.Equal(0.25, m.Spread, Tolerance);
        Assert.Equal(4, m.ExampleCount);
        Assert.Equal("hellaswag", m.TaskName);
    }

    [Fact]
    public void Top_x_uses_the_task_default_and_counts_templates_reaching_the_threshold()
    {
        PromptRobustnessMetrics m = EvaluateHandCase();
        Assert.Equal(0.90, m.TopXThreshold);
        Assert.Equal(0.0, m.TopXShare);
        Assert.Equal(1.0 / 3, m.TopXShareAt(0.75), Tolerance);   // reaching counts: 0.75 >= 0.75
        Assert.Equal(1.0 / 3, m.TopXShareAt(0.51), Tolerance);
        Assert.Equal(1.0, m.TopXShareAt(0.5), Tolerance);

        PromptRobustnessMetrics custom = EvaluateHandCase(new PromptRobustnessOptions { TopXThreshold = 0.5 });
        Assert.Equal(1.0, custom.TopXShare, Tolerance);
    }

    [Fact]
    public void Paper_thresholds_per_task()
    {
        Assert.Equal(0.90, TopXThresholds.For(TaskDefinition.HellaSwag));
        Assert.Equal(0.80, TopXThresholds.For(TaskDefinition.WinoGrande));
        Assert.Equal(0.85, TopXThresholds.For(TaskDefinition.Piqa));
        Assert.Equal(0.85, TopXThresholds.For(TaskDefinition.Race));
        Assert.Null(TopXThresholds.For(new TaskDefinition("other", ["q", "a", "b"], ["a", "b"])));
    }

    [Fact]
    public void Worst_templates_lowest_first_in_input_order_on_ties()
    {
        PromptRobustnessMetrics m = EvaluateHandCase(new PromptRobustnessOptions { WorstCount = 2 });
        Assert.Equal(["t2", "t3"], m.WorstTemplates.Select(t => t.TemplateId));
    }

    [Fact]
    public void Consistency_across_templates_matches_the_hand_computation()
    {
        PromptRobustnessMetrics m = EvaluateHandCase();
        Assert.Equal(0.25, m.ConsistentPredictionShare, Tolerance);
        Assert.Equal(0.25, m.AlwaysCorrectShare, Tolerance);
        Assert.Equal(0.25, m.NeverCorrectShare, Tolerance);
    }

    [Fact]
    public void Each_template_gets_real_ml_net_metrics_with_a_no_answer_class_when_needed()
    {
        PromptRobustnessMetrics m = EvaluateHandCase();
        foreach (TemplateEvaluation t in m.Templates)
            Assert.Equal(t.Accuracy, t.Metrics.MicroAccuracy, Tolerance);

        TemplateEvaluation t3 = m.Templates[2];
        Assert.Equal(1, t3.NoAnswerCount);
        Assert.Equal(5, t3.Metrics.ConfusionMatrix.NumberOfClasses);   // A..D + "no answer"
        var counts = t3.Metrics.ConfusionMatrix.Counts;
        Assert.Equal(1, counts[0][0]);   // ex0: A → A
        Assert.Equal(1, counts[1][2]);   // ex1: B → C
        Assert.Equal(1, counts[2][2]);   // ex2: C → C
        Assert.Equal(1, counts[3][4]);   // ex3: D → no answer
        // Recall per true class: 1, 0, 1, 0 → macro 0.5.
        Assert.Equal(0.5, t3.Metrics.MacroAccuracy, Tolerance);

        // t2: ex0 A→A, ex1 B→B, ex2 C→A, ex3 D→A; recall 1, 1, 0, 0.
        TemplateEvaluation t2 = m.Templates[1];
        Assert.Equal(3, t2.Metrics.ConfusionMatrix.Counts.Sum(row => row[0]));
        Assert.Equal(0.5, t2.Metrics.MacroAccuracy, Tolerance);
        Assert.Equal(25.0, t2.MeanGeneratedCharacters!.Value, Tolerance);
        Assert.Null(t2.MeanGeneratedTokens);
    }

    [Fact]
    public void Without_unanswered_examples_the_class_count_is_the_option_count()
    {
        var m = new PromptRobustnessEvaluator(new MLContext(seed: 1), TaskDefinition.HellaSwag)
            .Evaluate([Template("t1", 0, 1, 2, 0), Template("t2", 0, 1, 0, 0)]);
        Assert.All(m.Templates, t => Assert.Equal(4, t.Metrics.ConfusionMatrix.NumberOfClasses));
    }

    [Fact]
    public void Probabilities_are_normalised_and_give_ml_net_log_loss()
    {
        // ex0: [0.8, 0.2], label 0 → −ln 0.8.  ex1: [0.3, 0.9] → [0.25, 0.75], label 0, predicted 1 → −ln 0.25.
        var template = new TemplatePredictions("p", [
            new ExamplePrediction(0, 0, [0.8f, 0.2f]),
            new ExamplePrediction(0, 1, [0.3f, 0.9f]),
        ]);
        var m = new PromptRobustnessEvaluator(new MLContext(seed: 1), TaskDefinition.Piqa).Evaluate([template]);
        var metrics = m.Templates[0].Metrics;

        Assert.Equal(0.5, metrics.MicroAccuracy, Tolerance);
        Assert.Equal((-Math.Log(0.8) - Math.Log(0.25)) / 2, metrics.LogLoss, 1e-5);
        Assert.Equal(2, metrics.ConfusionMatrix.NumberOfClasses);
        Assert.Equal(1.0, m.TopXShareAt(0.5));
        Assert.Null(m.AccuracySampleStdDev);
        Assert.Equal(0.0, m.AccuracyStdDev);
    }

    [Fact]
    public void Generated_answers_feed_in_through_the_extractor()
    {
        var outputs = new[] { ("The answer is A.", 0), ("B", 1), ("I am not sure.", 1) };
        var predictions = outputs
            .Select(o => ExamplePrediction.FromGeneration(o.Item2, AnswerExtractor.Extract(o.Item1, TaskDefinition.Piqa.AnswerLabels, 3)))
            .ToArray();
        var m = new PromptRobustnessEvaluator(new MLContext(seed: 1), TaskDefinition.Piqa).Evaluate([new TemplatePredictions("g", predictions)]);
        var t = m.Templates[0];

        Assert.Equal(2.0 / 3, t.Accuracy, Tolerance);
        Assert.Equal(1, t.NoAnswerCount);
        Assert.Equal((16 + 1 + 14) / 3.0, t.MeanGeneratedCharacters!.Value, Tolerance);
        Assert.Equal(3.0, t.MeanGeneratedTokens!.Value, Tolerance);
        Assert.Equal(t.Accuracy, t.Metrics.MicroAccuracy, Tolerance);
    }

    [Fact]
    public void Inconsistent_input_is_rejected_with_the_template_and_example_named()
    {
        var evaluator = new PromptRobustnessEvaluator(new MLContext(seed: 1), TaskDefinition.HellaSwag);

        var shorter = Assert.Throws<ArgumentException>(() => evaluator.Evaluate([Template("t1", 0, 1, 2, 3),
            new TemplatePredictions("t2", [new ExamplePrediction(0, 0)])]));
        Assert.Contains("'t2' has 1 predictions", shorter.Message);

        var relabelled = Assert.Throws<ArgumentException>(() => evaluator.Evaluate([Template("t1", 0, 1, 2, 3),
            new TemplatePredictions("t2", [new(0, 0), new(1, 1), new(3, 2), new(3, 3)])]));
        Assert.Contains("'t2', example 2", relabelled.Message);

        var twice = Assert.Throws<ArgumentException>(() => evaluator.Evaluate([Template("t1", 0, 1, 2, 3), Template("t1", 0, 1, 2, 3)]));
        Assert.Contains("'t1' appears twice", twice.Message);

        var notArgMax = Assert.Throws<ArgumentException>(() => evaluator.Evaluate([
            new TemplatePredictions("p", [new ExamplePrediction(0, 1, [0.7f, 0.1f, 0.1f, 0.1f])])]));
        Assert.Contains("'p', example 0", notArgMax.Message);
        Assert.Contains("not the most probable option (0)", notArgMax.Message);

        var outOfRange = Assert.Throws<ArgumentException>(() => evaluator.Evaluate([new TemplatePredictions("r", [new ExamplePrediction(4, 0)])]));
        Assert.Contains("label 4 is outside 0..3", outOfRange.Message);

        Assert.Throws<ArgumentException>(() => evaluator.Evaluate([]));
    }

    [Fact]
    public void Custom_task_uses_the_default_threshold_unless_one_is_given()
    {
        var task = new TaskDefinition("other", ["q", "a", "b"], ["a", "b"]);
        // Template accuracies 1.0, 0.75 and 0.5 over four examples each.
        TemplatePredictions Template(string id, int correct) =>
            new(id, Enumerable.Range(0, 4).Select(i => new ExamplePrediction(0, i < correct ? 0 : 1)).ToArray());
        TemplatePredictions[] templates = [Template("t1", 4), Template("t2", 3), Template("t3", 2)];

        var byDefault = new PromptRobustnessEvaluator(new MLContext(seed: 1), task).Evaluate(templates);
        Assert.Equal(TopXThresholds.Default, byDefault.TopXThreshold);
        Assert.Equal(1.0 / 3, byDefault.TopXShare, 10); // only t1 reaches 0.80

        var chosen = new PromptRobustnessEvaluator(new MLContext(seed: 1), task, new PromptRobustnessOptions { TopXThreshold = 0.7 }).Evaluate(templates);
        Assert.Equal(2.0 / 3, chosen.TopXShare, 10);    // t1 and t2 reach 0.70
    }

    [Fact]
    public void Json_export_holds_summary_and_templates_and_is_written_atomically()
    {
        PromptRobustnessMetrics m = EvaluateHandCase();
        string folder = Path.Combine(Path.GetTempPath(), "paft-eval-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(folder, "sub", "report.json");
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(folder, "sub")).FullName, "report.json"), "old");
            m.SaveJson(path);

            JsonObject json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            Assert.Equal("hellaswag", (string)json["task"]!);
            Assert.Equal(3, (int)json["templateCount"]!);
            Assert.Equal(4, (int)json["exampleCount"]!);
            JsonObject summary = json["summary"]!.AsObject();
            Assert.Equal(1.75 / 3, (double)summary["meanAccuracy"]!, Tolerance);
            Assert.Equal(Math.Sqrt(1.0 / 72), (double)summary["accuracyStdDev"]!, Tolerance);
            Assert.Equal(0.5, (double)summary["minAccuracy"]!, Tolerance);
            Assert.Equal(0.9, (double)summary["topXThreshold"]!, Tolerance);
            Assert.Equal(0.0, (double)summary["topXShare"]!, Tolerance);
            Assert.Equal(0.25, (double)summary["spread"]!, Tolerance);
            Assert.Equal(["t2", "t3", "t1"], summary["worstTemplates"]!.AsArray().Select(n => (string)n!));

            var templates = json["templates"]!.AsArray();
            Assert.Equal(["t1", "t2", "t3"], templates.Select(t => (string)t!["id"]!));
            Assert.Equal([0.75, 0.5, 0.5], templates.Select(t => (double)t!["accuracy"]!));
            Assert.All(templates, t => Assert.Equal(4, (int)t!["count"]!));
            Assert.Equal(1, (int)templates[2]!["noAnswer"]!);

            // Only the report is left in the folder: the temporary file was renamed over the old one.
            Assert.Equal(["report.json"], Directory.GetFiles(Path.Combine(folder, "sub")).Select(Path.GetFileName));
            Assert.Equal(m.ToJson(), File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
