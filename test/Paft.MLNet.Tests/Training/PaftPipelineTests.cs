using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.Llama.Inference;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;
using Paft.Tests.Common;

namespace Paft.MLNet.Tests.Training;

/// <summary>
/// The ML.NET surface end to end on a tiny random LLaMA with the real Llama 2 tokenizer
/// (../shared/fixtures/llama/tiny-llama2-vocab32k): what is checked is plumbing and agreement between
/// paths (Transform, PredictionEngine, Evaluate, save/load), not accuracy.
/// </summary>
public class PaftPipelineTests
{
    private static string ModelDir => SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");

    private static readonly PromptTemplate[] Templates =
    [
        PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "inline"),
        PromptTemplate.Parse("Which solution reaches the goal? {goal} (A) {sol1} (B) {sol2} Answer:", "paren"),
        PromptTemplate.Parse("{goal}\nOption A: {sol1}\nOption B: {sol2}\nThe answer is", "cue-last"),
    ];

    /// <summary>A PIQA-shaped row as a user's own class: text fields, an integer label 0 or 1.</summary>
    public sealed class Row
    {
        public string Goal { get; set; } = "";
        public string sol1 { get; set; } = "";
        public string sol2 { get; set; } = "";
        public int Label { get; set; }
    }

    public sealed class Prediction
    {
        public uint PredictedLabel { get; set; }
        public float[] Score { get; set; } = [];
    }

    private static Row[] Rows(int count) => Enumerable.Range(0, count).Select(i => new Row
    {
        Goal = $"keep item {i} dry",
        sol1 = i % 2 == 0 ? "put it in a sealed bag" : "leave it in the rain",
        sol2 = i % 2 == 0 ? "leave it in the rain" : "put it in a sealed bag",
        Label = i % 2,
    }).ToArray();

    private static PaftTrainerOptions Options(int epochs = 1) => new()
    {
        ModelPath = ModelDir,
        Task = TaskDefinition.Piqa,
        TrainingTemplates = Templates,
        Epochs = epochs,
        BatchSize = 4,
        LearningRate = 1e-2,
        Seed = 3,
        MaxLength = 128,
    };

    [SharedFact]
    public void FitTransformEvaluateInAChainWithMLNetTransformsAroundIt()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(8));
        var pipeline = ml.Transforms.CopyColumns("goal", nameof(Row.Goal))
            .Append(ml.Paft().Trainers.PromptAgnosticFineTuning(Options()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLetter", "PredictedLabel"));
        var model = pipeline.Fit(data);
        IDataView scored = model.Transform(data);

        var letters = scored.GetColumn<ReadOnlyMemory<char>>("PredictedLetter").Select(x => x.ToString()).ToArray();
        var keys = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        Assert.Equal(8, keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.InRange(keys[i], 1u, 2u);
            Assert.Equal(keys[i] == 1 ? "A" : "B", letters[i]);
            Assert.Equal(1.0, scores[i].Sum(), 4);
            Assert.Equal((int)keys[i] - 1, Array.IndexOf(scores[i], scores[i].Max()));
        }

        // ML.NET's own evaluator accepts the output as a multiclass prediction.
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(
            ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Fit(scored).Transform(scored), labelColumnName: "LabelKey");
        int[] labels = Rows(8).Select(r => r.Label).ToArray();
        Assert.Equal(keys.Zip(labels).Count(p => p.First - 1 == p.Second) / 8.0, metrics.MicroAccuracy, 10);
    }

    [SharedFact]
    public void PredictionEngineAgreesWithTransformAndSaveLoadPredictsIdentically()
    {
        var ml = new MLContext(seed: 1);
        Row[] rows = Rows(6);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var chain = ml.Transforms.CopyColumns("goal", nameof(Row.Goal)).Fit(data);
        PaftTransformer paft = ml.Paft().Trainers.PromptAgnosticFineTuning(Options()).Fit(chain.Transform(data));
        float[][] viaTransform = paft.Transform(chain.Transform(data)).GetColumn<float[]>("Score").ToArray();

        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(chain.Append(paft));
        for (int i = 0; i < rows.Length; i++)
            Assert.Equal(viaTransform[i], engine.Predict(rows[i]).Score, new FloatTolerance(1e-5f));

        using var folder = new TempFolder();
        string saved = Path.Combine(folder.Path, "paft");
        paft.Save(saved);
        Assert.True(File.Exists(Path.Combine(saved, "adapter_model.safetensors")));
        Assert.True(File.Exists(Path.Combine(saved, "adapter_config.json")));
        PaftTransformer loaded = PaftTransformer.Load(ml, saved);
        float[][] afterLoad = loaded.Transform(chain.Transform(data)).GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < rows.Length; i++)
            Assert.Equal(viaTransform[i], afterLoad[i]);
        Assert.Equal(paft.InferenceTemplate.Text, loaded.InferenceTemplate.Text);
        Assert.Equal(paft.TrainingInfo!.Steps, loaded.TrainingInfo!.Steps);
    }

    [SharedFact]
    public void LoadingAgainstAChangedBaseModelFailsNamingIt()
    {
        var ml = new MLContext(seed: 1);
        using var folder = new TempFolder();
        string baseCopy = Path.Combine(folder.Path, "base");
        Directory.CreateDirectory(baseCopy);
        foreach (string file in Directory.GetFiles(ModelDir))
            File.Copy(file, Path.Combine(baseCopy, Path.GetFileName(file)));
        PaftTrainerOptions options = Options();
        options.ModelPath = baseCopy;
        IDataView data = ml.Data.LoadFromEnumerable(Rows(4));
        PaftTransformer paft = ml.Paft().Trainers.SupervisedFineTuning(options, Templates[0])
            .Fit(ml.Transforms.CopyColumns("goal", nameof(Row.Goal)).Fit(data).Transform(data));
        string saved = Path.Combine(folder.Path, "sft");
        paft.Save(saved);

        File.AppendAllText(Path.Combine(baseCopy, "config.json"), "\n");
        var error = Assert.Throws<InvalidDataException>(() => PaftTransformer.Load(ml, saved));
        Assert.Contains(baseCopy, error.Message);
        Assert.Contains("changed", error.Message);
    }

    [SharedFact]
    public void EvaluateScoresEachTemplateLikeTransformWithThatTemplate()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(6));
        IDataView rows = ml.Transforms.CopyColumns("goal", nameof(Row.Goal)).Fit(data).Transform(data);
        using PaftTransformer baseModel = ml.Paft().Trainers.BaseModel(Options()).Fit(rows);

        PromptRobustnessMetrics metrics = ml.Paft().Evaluate(baseModel, rows, Templates);
        Assert.Equal(Templates.Select(t => t.Id), metrics.Templates.Select(t => t.TemplateId));
        int[] labels = Rows(6).Select(r => r.Label).ToArray();
        foreach (PromptTemplate template in Templates)
        {
            uint[] predicted = baseModel.WithTemplate(template).Transform(rows).GetColumn<uint>("PredictedLabel").ToArray();
            double accuracy = predicted.Zip(labels).Count(p => p.First - 1 == p.Second) / 6.0;
            Assert.Equal(accuracy, metrics.Templates.Single(t => t.TemplateId == template.Id).Accuracy, 10);
        }
        Assert.Equal(metrics.Templates.Average(t => t.Accuracy), metrics.MeanAccuracy, 10);
    }

    [SharedFact]
    public void OptionTextScoresAreTheSoftmaxOfTheOptionLogLikelihoods()
    {
        var ml = new MLContext(seed: 1);
        Row row = Rows(1)[0];
        var example = new TaskExample(new Dictionary<string, string> { ["goal"] = row.Goal, ["sol1"] = row.sol1, ["sol2"] = row.sol2 }, row.Label);
        IDataView one = new[] { example }.ToDataView(TaskDefinition.Piqa);
        using PaftTransformer baseModel = ml.Paft().Trainers.BaseModel(Options()).Fit(one);

        string prompt = Templates[0].Render(example.Fields);
        var scorer = new LogLikelihoodScorer(baseModel.Predictor.Checkpoint.CausalLM);
        var tok = baseModel.Predictor.Checkpoint.Tokenizer;
        double[] ll = [.. new[] { row.sol1, row.sol2 }.Select(option =>
        {
            var ids = tok.Encode(prompt + " " + option, addBos: true);
            var ctx = tok.Encode(prompt, addBos: true);
            Assert.Equal(ctx, ids.Take(ctx.Count)); // the prompt's ids are a prefix here
            return scorer.Score(ctx, [ids.Skip(ctx.Count).ToArray()])[0].LogLikelihood;
        })];

        foreach (var (mode, values) in new[]
                 {
                     (ScoringMode.OptionText, ll),
                     (ScoringMode.OptionTextNormalized, new[] { ll[0] / System.Text.Encoding.UTF8.GetByteCount(row.sol1), ll[1] / System.Text.Encoding.UTF8.GetByteCount(row.sol2) }),
                 })
        {
            float[] score = baseModel.WithScoring(mode).Transform(one).GetColumn<float[]>("Score").Single();
            double max = values.Max();
            double[] expected = values.Select(v => Math.Exp(v - max) / values.Sum(w => Math.Exp(w - max))).ToArray();
            Assert.Equal(expected[0], score[0], 5);
            Assert.Equal(expected[1], score[1], 5);
        }
    }

    [SharedFact]
    public void GenerationModeAddsGeneratedTextAndAPrediction()
    {
        var ml = new MLContext(seed: 1);
        PaftTrainerOptions options = Options();
        options.Scoring = ScoringMode.Generation;
        options.MaxNewTokens = 4;
        IDataView rows = Rows(3).Select(r => new TaskExample(
            new Dictionary<string, string> { ["goal"] = r.Goal, ["sol1"] = r.sol1, ["sol2"] = r.sol2 }, r.Label)).ToDataView(TaskDefinition.Piqa);
        using PaftTransformer model = ml.Paft().Trainers.BaseModel(options).Fit(rows);
        IDataView output = model.Transform(rows);
        string[] texts = output.GetColumn<ReadOnlyMemory<char>>("GeneratedText").Select(t => t.ToString()).ToArray();
        uint[] predicted = output.GetColumn<uint>("PredictedLabel").ToArray();
        for (int i = 0; i < texts.Length; i++)
        {
            ExtractedAnswer expected = AnswerExtractor.Extract(texts[i], TaskDefinition.Piqa.AnswerLabels);
            Assert.Equal(expected.Index < 0 ? 0u : (uint)expected.Index + 1, predicted[i]);
        }
    }

    [SharedFact]
    public void MissingFieldColumnAndInvalidTemplateAreNamed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Rows(4)); // has Goal, not goal
        // ML.NET's schema mismatch: an ArgumentOutOfRangeException naming the column and the type it needs.
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Paft().Trainers.PromptAgnosticFineTuning(Options()).Fit(data));
        Assert.Contains("'goal'", missing.Message);
        Assert.Contains("text", missing.Message);

        PaftTrainerOptions options = Options();
        options.TrainingTemplates = [PromptTemplate.Parse("{goal} A. {sol1} Answer:", "no-sol2")];
        var invalid = Assert.Throws<ArgumentException>(() => ml.Paft().Trainers.PromptAgnosticFineTuning(options));
        Assert.Contains("'no-sol2'", invalid.Message);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
