using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.PublicApi.Tests;

/// <summary>
/// What a user of the package writes, on the tiny random LLaMA fixture (../shared/fixtures/llama/tiny-llama2-vocab32k):
/// this assembly sees only Paft.MLNet's public API. A pipeline with the flat overload and the user's own column names
/// fits, predicts under those names, saves and loads, and is disposed; a missing or mistyped column is named by
/// <c>GetOutputSchema</c> before anything is loaded.
/// </summary>
public class UserProgramTests
{
    private static string ModelDir => SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");

    private static readonly PromptTemplate[] Templates =
    [
        PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "inline"),
        PromptTemplate.Parse("Which solution reaches the goal? {goal} (A) {sol1} (B) {sol2} Answer:", "paren"),
    ];

    /// <summary>The task's fields under the user's names.</summary>
    private static readonly Dictionary<string, string> FieldColumns = new() { ["goal"] = "Goal", ["sol1"] = "First", ["sol2"] = "Second" };

    /// <summary>A PIQA question as the user's own class: none of its columns is named as PAFT's defaults.</summary>
    public sealed class Question
    {
        public string Goal { get; set; } = "";
        public string First { get; set; } = "";
        public string Second { get; set; } = "";
        public int Answer { get; set; }
    }

    /// <summary>The prediction under the column names given to the trainer.</summary>
    public sealed class Prediction
    {
        public uint Choice { get; set; }
        public float[] Probabilities { get; set; } = [];
    }

    /// <summary>A question whose goal is a number: the wrong type for a field column.</summary>
    public sealed class NumericGoal
    {
        public float Goal { get; set; }
        public string First { get; set; } = "";
        public string Second { get; set; } = "";
        public int Answer { get; set; }
    }

    private static Question[] Questions(int count) => Enumerable.Range(0, count).Select(i => new Question
    {
        Goal = $"keep item {i} dry",
        First = i % 2 == 0 ? "put it in a sealed bag" : "leave it in the rain",
        Second = i % 2 == 0 ? "leave it in the rain" : "put it in a sealed bag",
        Answer = i % 2,
    }).ToArray();

    private static PaftTrainer Trainer(MLContext ml) => ml.Paft().Trainers.PromptAgnosticFineTuning(ModelDir, TaskDefinition.Piqa, Templates,
        labelColumnName: "Answer", scoreColumnName: "Probabilities", predictedLabelColumnName: "Choice", fieldColumns: FieldColumns,
        redrawEverySteps: 1, epochs: 1, learningRate: 1e-2, batchSize: 4, seed: 3);

    [SharedFact]
    public void FlatOverloadWithCustomColumns_FitsPredictsSavesLoadsAndDisposes()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Questions(8));
        var pipeline = Trainer(ml).Append(ml.Transforms.Conversion.MapKeyToValue("ChoiceLetter", "Choice"));

        var fitted = pipeline.Fit(data);
        using PaftTransformer paft = fitted.OfType<PaftTransformer>().Single();
        IDataView scored = fitted.Transform(data);

        // The model writes the columns it was given, not ML.NET's defaults.
        Assert.Null(scored.Schema.GetColumnOrNull("PredictedLabel"));
        Assert.Null(scored.Schema.GetColumnOrNull("Score"));
        uint[] choices = scored.GetColumn<uint>("Choice").ToArray();
        float[][] probabilities = scored.GetColumn<float[]>("Probabilities").ToArray();
        string[] letters = scored.GetColumn<ReadOnlyMemory<char>>("ChoiceLetter").Select(l => l.ToString()).ToArray();
        Assert.Equal(8, choices.Length);
        for (int i = 0; i < choices.Length; i++)
        {
            Assert.Equal(2, probabilities[i].Length);
            Assert.Equal(1.0, probabilities[i].Sum(), 4);
            int best = probabilities[i][0] >= probabilities[i][1] ? 0 : 1;
            Assert.Equal((uint)best + 1, choices[i]);                       // key k+1 = option k
            Assert.Equal(TaskDefinition.Piqa.AnswerLabels[best], letters[i]); // the key's values are the answer letters
        }

        // One row through a prediction engine answers as Transform did.
        var engine = ml.Model.CreatePredictionEngine<Question, Prediction>(paft);
        Prediction first = engine.Predict(Questions(1)[0]);
        Assert.Equal(choices[0], first.Choice);
        Assert.Equal(probabilities[0][0], first.Probabilities[0], 5);

        using var folder = new TempFolder();
        SavedModelPredictsTheSame(ml, paft, Path.Combine(folder.Path, "model"), data, probabilities);
        // The single-file model, ML.NET style: one .zip archive.
        SavedModelPredictsTheSame(ml, paft, Path.Combine(folder.Path, "model.zip"), data, probabilities);

        // Disposing releases the weights: predicting afterwards is refused, naming what was disposed; the description stays.
        paft.Dispose();
        paft.Dispose(); // a second call does nothing
        var error = Assert.Throws<ObjectDisposedException>(() => paft.Transform(data));
        Assert.Contains("Dispose", error.Message);
        Assert.Throws<ObjectDisposedException>(() => paft.Save(Path.Combine(folder.Path, "again")));
        Assert.Equal("piqa", paft.Task.Name);
    }

    /// <summary>Saves <paramref name="model"/> to <paramref name="path"/>, loads it and checks it predicts the same under the same column names.</summary>
    private static void SavedModelPredictsTheSame(MLContext ml, PaftTransformer model, string path, IDataView data, float[][] expected)
    {
        model.Save(path);
        using PaftTransformer loaded = PaftTransformer.Load(ml, path);
        Assert.Equal(model.InferenceTemplate.Id, loaded.InferenceTemplate.Id);
        float[][] probabilities = loaded.Transform(data).GetColumn<float[]>("Probabilities").ToArray();
        Assert.Equal(expected.Length, probabilities.Length);
        for (int i = 0; i < expected.Length; i++)
            for (int j = 0; j < expected[i].Length; j++)
                Assert.Equal(expected[i][j], probabilities[i][j], 5);
        // Copies share the loaded weights without owning them: disposing one leaves the model usable.
        loaded.WithTemplate(Templates[1]).Dispose();
        Assert.Equal(expected.Length, loaded.Transform(data).GetColumn<uint>("Choice").Count());
    }

    [SharedFact]
    public void MissingOrMistypedColumns_AreNamedByGetOutputSchema()
    {
        var ml = new MLContext(seed: 1);
        PaftTrainer trainer = Trainer(ml);

        // Nothing: the first field's column is missing.
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(new SchemaShape([])));
        Assert.Contains("'Goal'", missing.Message);
        Assert.Contains("text", missing.Message);

        // A number where a field's text should be (a shape made by a no-op mapping that adds the user's columns).
        SchemaShape numeric = ml.Transforms.CustomMapping<NoColumns, NumericGoal>((_, _) => { }, contractName: null)
            .GetOutputSchema(new SchemaShape([]));
        var mistyped = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(numeric));
        Assert.Contains("'Goal'", mistyped.Message);
        Assert.Contains("Single", mistyped.Message);

        // The label column the trainer was told to read, as text.
        SchemaShape textLabel = ml.Transforms.CustomMapping<NoColumns, TextLabel>((_, _) => { }, contractName: null)
            .GetOutputSchema(new SchemaShape([]));
        var label = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(textLabel));
        Assert.Contains("'Answer'", label.Message);
        Assert.Contains("Int32", label.Message);

        // A pipeline checks the schema before fitting anything: the same message, before any model is loaded.
        IDataView wrong = ml.Data.LoadFromEnumerable(new[] { new NumericGoal { First = "a", Second = "b" } });
        var inPipeline = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.CopyColumns("GoalCopy", "Goal").Append(trainer).Fit(wrong));
        Assert.Equal(mistyped.Message, inPipeline.Message);

        // And the fitted model's own output schema names a missing input column too.
        using PaftTransformer baseModel = ml.Paft().Trainers.BaseModel(ModelDir, TaskDefinition.Piqa, Templates[0], fieldColumns: FieldColumns)
            .Fit(ml.Data.LoadFromEnumerable(Questions(1)));
        var transformerSchema = Assert.Throws<ArgumentOutOfRangeException>(() =>
            baseModel.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<SecondOnly>()).Schema));
        Assert.Contains("'Goal'", transformerSchema.Message);
    }

    /// <summary>No input columns.</summary>
    public sealed class NoColumns;

    /// <summary>A question whose label is text.</summary>
    public sealed class TextLabel
    {
        public string Goal { get; set; } = "";
        public string First { get; set; } = "";
        public string Second { get; set; } = "";
        public string Answer { get; set; } = "";
    }

    /// <summary>Only one of the fields.</summary>
    public sealed class SecondOnly
    {
        public string Second { get; set; } = "";
    }
}
