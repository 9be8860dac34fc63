using System.Text;
using System.Text.Json;
using Paft.Llama;

namespace Paft.MLNet.Evaluation;

/// <summary>
/// The JSON export of <see cref="PromptRobustnessMetrics"/>: <c>task</c>, <c>templateCount</c>,
/// <c>exampleCount</c>, <c>extractor</c> for generated answers (<see cref="PromptRobustnessMetrics.Extractor"/>), a <c>summary</c> object and one <c>templates</c> entry per template
/// (<c>id</c>, <c>accuracy</c>, <c>count</c>, <c>correct</c>, <c>noAnswer</c>, <c>logLoss</c>, and the
/// mean generated length when known, and <c>predicted</c>: the option chosen for each row, -1 for none), and
/// <c>labels</c>: the correct option of each row, in row order. Accuracies are fractions.
/// </summary>
internal static class RobustnessReportJson
{
    public static string Write(PromptRobustnessMetrics metrics)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("task", metrics.TaskName);
            json.WriteNumber("templateCount", metrics.Templates.Count);
            json.WriteNumber("exampleCount", metrics.ExampleCount);
            // Only for generated answers: which extraction read them decides the accuracy where models are verbose.
            if (metrics.Extractor is { } extractor)
                json.WriteString("extractor", extractor);

            json.WriteStartObject("summary");
            json.WriteNumber("meanAccuracy", metrics.MeanAccuracy);
            json.WriteNumber("accuracyStdDev", metrics.AccuracyStdDev);
            WriteNullable(json, "accuracySampleStdDev", metrics.AccuracySampleStdDev);
            json.WriteNumber("minAccuracy", metrics.MinAccuracy);
            json.WriteNumber("maxAccuracy", metrics.MaxAccuracy);
            json.WriteNumber("medianAccuracy", metrics.MedianAccuracy);
            json.WriteNumber("spread", metrics.Spread);
            json.WriteNumber("topXThreshold", metrics.TopXThreshold);
            json.WriteNumber("topXShare", metrics.TopXShare);
            json.WriteNumber("consistentPredictionShare", metrics.ConsistentPredictionShare);
            json.WriteNumber("alwaysCorrectShare", metrics.AlwaysCorrectShare);
            json.WriteNumber("neverCorrectShare", metrics.NeverCorrectShare);
            json.WriteStartArray("worstTemplates");
            foreach (var worst in metrics.WorstTemplates)
                json.WriteStringValue(worst.TemplateId);
            json.WriteEndArray();
            json.WriteEndObject();

            // Per-row data, so that two evaluations on the same rows can be compared row by row (paired statistics).
            json.WriteStartArray("labels");
            foreach (ExamplePrediction prediction in metrics.Templates[0].Predictions)
                json.WriteNumberValue(prediction.Label);
            json.WriteEndArray();

            json.WriteStartArray("templates");
            foreach (var template in metrics.Templates)
            {
                json.WriteStartObject();
                json.WriteString("id", template.TemplateId);
                json.WriteNumber("accuracy", template.Accuracy);
                json.WriteNumber("count", template.Count);
                json.WriteNumber("correct", template.Correct);
                json.WriteNumber("noAnswer", template.NoAnswerCount);
                WriteNullable(json, "logLoss", double.IsFinite(template.Metrics.LogLoss) ? template.Metrics.LogLoss : null);
                WriteNullable(json, "meanGeneratedCharacters", template.MeanGeneratedCharacters);
                WriteNullable(json, "meanGeneratedTokens", template.MeanGeneratedTokens);
                json.WriteStartArray("predicted");
                foreach (ExamplePrediction prediction in template.Predictions)
                    json.WriteNumberValue(prediction.PredictedIndex);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void Save(PromptRobustnessMetrics metrics, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // A reader never sees a half-written report.
        AtomicFile.Write(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Write(metrics)));
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
            json.WriteNumber(name, v);
        else
            json.WriteNull(name);
    }
}
