using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;
using Paft.Tests.Common;

namespace Paft.MLNet.Tests.Training;

/// <summary>
/// A training target and a scoring mode that cannot work together are refused, naming the fix, wherever they meet:
/// the trainer options, <see cref="PaftTransformer.WithScoring"/> and <c>mlContext.Paft().Evaluate</c> (on a saved
/// model); a pair that works but does not measure what training taught is a warning in <c>MLContext.Log</c>.
/// </summary>
public sealed class AnswerTargetScoringTests
{
    private static string ModelDir => SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");

    private static readonly PromptTemplate Template = PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "inline");

    private static PaftTrainerOptions Options(string modelPath, AnswerTarget target, ScoringMode scoring) => new()
    {
        ModelPath = modelPath,
        Task = TaskDefinition.Piqa,
        TrainingTemplates = [Template],
        AnswerTarget = target,
        Scoring = scoring,
        Epochs = 1,
        BatchSize = 2,
        LearningRate = 1e-3,
        MaxLength = 64,
    };

    private static IDataView Rows(MLContext ml) => Enumerable.Range(0, 2).Select(i => new TaskExample(new Dictionary<string, string>
    {
        ["goal"] = $"keep item {i} dry",
        ["sol1"] = "put it in a sealed bag",
        ["sol2"] = "leave it in the rain",
    }, i % 2)).ToArray().ToDataView(TaskDefinition.Piqa);

    /// <summary>Every (target, mode) pair: which are errors, which warnings, which fine; each error names the modes that work.</summary>
    [Theory]
    [InlineData(AnswerTarget.Letter, ScoringMode.AnswerLetter, null)]
    [InlineData(AnswerTarget.Letter, ScoringMode.Generation, null)]
    [InlineData(AnswerTarget.Letter, ScoringMode.OptionText, false)]
    [InlineData(AnswerTarget.Letter, ScoringMode.OptionTextNormalized, false)]
    [InlineData(AnswerTarget.OptionText, ScoringMode.AnswerLetter, true)]
    [InlineData(AnswerTarget.OptionText, ScoringMode.Generation, false)]
    [InlineData(AnswerTarget.OptionText, ScoringMode.OptionText, null)]
    [InlineData(AnswerTarget.OptionText, ScoringMode.OptionTextNormalized, null)]
    public void The_trainer_options_refuse_impossible_pairs_and_warn_about_questionable_ones(AnswerTarget target, ScoringMode mode, bool? isError)
    {
        using var temp = new TempFolder();
        var ml = new MLContext(0);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
                warnings.Add(e.Message);
        };
        PaftTrainerOptions options = Options(temp.Path, target, mode);
        if (isError == true)
        {
            var error = Assert.Throws<ArgumentException>(() => ml.Paft().Trainers.PromptAgnosticFineTuning(options));
            Assert.StartsWith("PaftTrainerOptions: ", error.Message);
            Assert.Contains("ScoringMode.OptionText or OptionTextNormalized", error.Message);
            Assert.Contains("AnswerTarget.Letter", error.Message);
            return;
        }
        ml.Paft().Trainers.PromptAgnosticFineTuning(options);
        if (isError == false)
            Assert.Contains(warnings, w => w.Contains(target == AnswerTarget.Letter ? "ScoringMode.AnswerLetter or Generation" : "near 0%", StringComparison.Ordinal));
        else
            Assert.DoesNotContain(warnings, w => w.Contains("AnswerTarget", StringComparison.Ordinal));
    }

    [SharedFact]
    public void A_model_trained_on_option_text_is_refused_letters_through_the_api()
    {
        using var temp = new TempFolder();
        var ml = new MLContext(0);
        PaftTransformer model = ml.Paft().Trainers.PromptAgnosticFineTuning(
            Options(ModelDir, AnswerTarget.OptionText, ScoringMode.OptionText)).Fit(Rows(ml));
        Assert.Equal(AnswerTarget.OptionText, model.TrainingInfo!.AnswerTarget);

        var letters = Assert.Throws<ArgumentException>(() => model.WithScoring(ScoringMode.AnswerLetter));
        Assert.Contains("PaftTransformer.WithScoring", letters.Message);
        Assert.Contains("ScoringMode.OptionText or OptionTextNormalized", letters.Message);
        Assert.Equal(ScoringMode.Generation, model.WithScoring(ScoringMode.Generation).Scoring); // a warning only: Table 2 times it
        Assert.Equal(ScoringMode.OptionTextNormalized, model.WithScoring(ScoringMode.OptionTextNormalized).Scoring);

        // The target survives save and load; a manifest edited to an impossible mode is refused by Evaluate.
        string folder = temp.File("model");
        model.Save(folder);
        string manifest = Path.Combine(folder, "paft_model.json");
        JsonObject json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        Assert.Equal("option_text", (string)json["training"]!["answer_target"]!);
        json["scoring"] = "answer_letter";
        File.WriteAllText(manifest, json.ToJsonString());
        PaftTransformer edited = PaftTransformer.Load(ml, folder);
        Assert.Equal(AnswerTarget.OptionText, edited.TrainingInfo!.AnswerTarget);
        var evaluate = Assert.Throws<ArgumentException>(() => ml.Paft().Evaluate(edited, Rows(ml), [Template]));
        Assert.StartsWith("PaftCatalog.Evaluate: ", evaluate.Message);
    }

    [SharedFact]
    public void A_letter_trained_model_scored_by_option_text_is_a_warning_not_an_error()
    {
        var ml = new MLContext(0);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
                warnings.Add(e.Message);
        };
        PaftTransformer model = ml.Paft().Trainers.PromptAgnosticFineTuning(
            Options(ModelDir, AnswerTarget.Letter, ScoringMode.AnswerLetter)).Fit(Rows(ml));
        Assert.Empty(warnings);
        PaftTransformer byText = model.WithScoring(ScoringMode.OptionText);
        Assert.Single(warnings, w => w.Contains("PaftTransformer.WithScoring", StringComparison.Ordinal));
        PromptRobustnessMetrics metrics = ml.Paft().Evaluate(byText, Rows(ml), [Template]);
        Assert.Equal(2, metrics.ExampleCount);
        Assert.Contains(warnings, w => w.Contains("PaftCatalog.Evaluate", StringComparison.Ordinal));
    }
}
