using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Evaluation;

/// <summary>
/// Turns one template's predictions into ML.NET's own <see cref="MulticlassClassificationMetrics"/>
/// by building a prediction <see cref="IDataView"/> and calling
/// <c>MulticlassClassification.Evaluate</c> (the metric classes have internal constructors).
/// </summary>
/// <remarks>
/// <para>Columns: <c>Label</c> and <c>PredictedLabel</c> keys of the class count, <c>Score</c> a
/// known-size float vector. ML.NET's evaluator takes the predicted class from the <em>Score</em>
/// argmax (checked on 5.0.1: <c>PredictedLabel</c> only has to be present), so the score must agree
/// with the prediction:</para>
/// <list type="bullet">
/// <item>scored options: the normalised probabilities, whose first maximum is the prediction;</item>
/// <item>generated answers: one-hot on the extracted option. Log-loss is then only a clipped 0/1
/// measure; it is meaningful with probabilities.</item>
/// <item>no answer found: one-hot on an extra last class, "no answer", which no label has, so the
/// example counts as wrong. It is added (to every template of an evaluation) only when some
/// prediction has no answer; the confusion matrix then has one column more than the task has options.</item>
/// </list>
/// </remarks>
internal static class PredictionMetrics
{
    public static MulticlassClassificationMetrics Evaluate(MLContext mlContext, string templateId,
        IReadOnlyList<ExamplePrediction> predictions, int optionCount, bool withNoAnswerClass)
    {
        int classCount = optionCount + (withNoAnswerClass ? 1 : 0);
        var rows = new PredictionRow[predictions.Count];
        for (int i = 0; i < predictions.Count; i++)
            rows[i] = ToRow(templateId, i, predictions[i], optionCount, classCount);

        var schema = SchemaDefinition.Create(typeof(PredictionRow));
        // LoadFromEnumerable takes 0-based key indices and stores them as ML.NET's 1-based key values.
        schema[nameof(PredictionRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), classCount);
        schema[nameof(PredictionRow.PredictedLabel)].ColumnType = new KeyDataViewType(typeof(uint), classCount);
        schema[nameof(PredictionRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classCount);
        IDataView data = mlContext.Data.LoadFromEnumerable(rows, schema);
        return mlContext.MulticlassClassification.Evaluate(data);
    }

    private static PredictionRow ToRow(string templateId, int index, ExamplePrediction prediction, int optionCount, int classCount)
    {
        string where = $"template '{templateId}', example {index}";
        if (prediction.Label < 0 || prediction.Label >= optionCount)
            throw new ArgumentException($"{where}: label {prediction.Label} is outside 0..{optionCount - 1}.");
        if (prediction.PredictedIndex < -1 || prediction.PredictedIndex >= optionCount)
            throw new ArgumentException($"{where}: predicted index {prediction.PredictedIndex} is outside -1..{optionCount - 1}.");

        if (prediction.PredictedIndex == -1 && classCount == optionCount)
            throw new InvalidOperationException($"{where}: no answer, but the metrics were built without a no-answer class.");

        var score = new float[classCount];
        if (prediction.Probabilities is { } probabilities)
        {
            if (probabilities.Count != optionCount)
                throw new ArgumentException($"{where}: {probabilities.Count} probabilities for {optionCount} options.");
            double sum = 0;
            foreach (float p in probabilities)
            {
                if (!(p >= 0) || float.IsInfinity(p))
                    throw new ArgumentException($"{where}: probability {p} is not a finite non-negative number.");
                sum += p;
            }
            if (sum <= 0)
                throw new ArgumentException($"{where}: the probabilities sum to 0.");
            int argMax = 0;
            for (int k = 0; k < optionCount; k++)
            {
                score[k] = (float)(probabilities[k] / sum);
                if (probabilities[k] > probabilities[argMax]) argMax = k;
            }
            if (prediction.PredictedIndex != argMax)
                throw new ArgumentException(
                    $"{where}: predicted index {prediction.PredictedIndex} is not the most probable option ({argMax}).");
        }
        else
        {
            score[prediction.PredictedIndex >= 0 ? prediction.PredictedIndex : classCount - 1] = 1f;
        }

        return new PredictionRow
        {
            Label = (uint)prediction.Label,
            PredictedLabel = (uint)(prediction.PredictedIndex >= 0 ? prediction.PredictedIndex : classCount - 1),
            Score = score,
        };
    }

    private sealed class PredictionRow
    {
        public uint Label { get; set; }

        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = [];
    }
}
