using Microsoft.ML;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.MLNet;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;

namespace Paft.Demo.Tests;

/// <summary>One toy-size run with an output folder, shared by the tests that inspect it.</summary>
public sealed class TinyDemoRun : IDisposable
{
    public TinyDemoRun()
    {
        Result = DemoRecipe.Run(Options(Output), new SyncProgress(Reports.Add));
    }

    public string Output { get; } = Path.Combine(Path.GetTempPath(), "paft-demo-test-" + Guid.NewGuid().ToString("N"));

    public List<DemoProgress> Reports { get; } = [];

    public DemoResult Result { get; }

    /// <summary>The recipe at a toy size: every stage runs, in seconds; nothing here measures learning.</summary>
    public static DemoOptions Options(string? output, int trainExamples = 8) => new()
    {
        Seed = 3,
        OutputDirectory = output,
        HiddenSize = 16,
        Layers = 1,
        Heads = 2,
        IntermediateSize = 32,
        PretrainSteps = 3,
        PretrainBatchSize = 4,
        PretrainDocuments = 8,
        TrainExamples = trainExamples,
        ValidationExamples = 4,
        TestExamples = 4,
        FineTuneBatchSize = 4,
        FineTuneEpochs = 1,
        Templates = 8,
        LoraRank = 2,
        LoraAlpha = 4,
        LoraTargets = ["q_proj", "v_proj"],
        EvaluationBatchSize = 3,
        ZopoBudget = 3,
        GenerationPrompts = 5,
        GenerationMaxNewTokens = 4,
    };

    public void Dispose()
    {
        if (Directory.Exists(Output))
            Directory.Delete(Output, recursive: true);
    }

    private sealed class SyncProgress(Action<DemoProgress> report) : IProgress<DemoProgress>
    {
        public void Report(DemoProgress value) => report(value);
    }
}

[Collection(SerialTorchWork.Name)]
public sealed class DemoRecipeTests(TinyDemoRun run) : IClassFixture<TinyDemoRun>
{
    private static readonly string[] MethodNames = ["base", "sft", "sft-top", "zopo", "batprompt", "paft"];
    private readonly string _out = run.Output;

    [Fact]
    public void RunsEveryMethodAndEvaluatesItOnTheUnseenTemplates()
    {
        DemoResult result = run.Result;
        Assert.Equal(MethodNames, result.Methods.Select(m => m.Name));
        Assert.Equal(8, result.TrainTemplates.Count + result.TestTemplates.Count);
        Assert.Empty(result.TrainTemplates.Select(t => t.Key).Intersect(result.TestTemplates.Select(t => t.Key)));
        Assert.Equal(3, result.Base.PretrainLosses.Count);
        Assert.Equal(3, run.Reports.Count(r => r.Stage == "pretrain"));
        foreach (DemoMethodResult method in result.Methods)
        {
            Assert.Equal(result.TestTemplates.Select(t => t.Key), method.TestAccuracies.Select(a => a.Key));
            // 4 test examples: every accuracy is a multiple of 1/4.
            Assert.All(method.TestAccuracies, a => Assert.Equal(0, a.Value * 4 % 1, 9));
            Assert.Equal(method.Name == "base" ? 0 : 2, method.Losses.Count); // 8 examples / batch 4, one epoch
            Assert.All(method.Losses, loss => Assert.True(double.IsFinite(loss) && loss > 0));
        }
        Assert.Equal(result.TrainTemplates[0].Key, Assert.Single(result.Methods[1].TrainTemplateIds));
        Assert.NotNull(result.Methods[1].OwnTemplateAccuracy);
        Assert.Null(result.Methods[5].OwnTemplateAccuracy);
        Assert.Equal(result.TrainTemplates.Select(t => t.Key), result.Methods[5].TrainTemplateIds);
    }

    [Fact]
    public void SavedModelsLoadAndScoreAsTheRunMeasured()
    {
        DemoResult result = run.Result;
        var mlContext = new MLContext(1);
        DemoOptions options = TinyDemoRun.Options(null);
        IDataView test = DemoTask.Split(options.TrainExamples, options.ValidationExamples, options.TestExamples, options.Seed, options.StoryFacts)
            .Test.ToDataView(DemoTask.Definition);
        var templates = result.TestTemplates.Select(t => PromptTemplate.Parse(t.Value, t.Key)).ToList();
        foreach (DemoMethodResult method in result.Methods.Skip(1))
        {
            Assert.Equal(Path.Combine(_out, method.Name), method.ModelDirectory);
            PaftTransformer model = PaftTransformer.Load(mlContext, method.ModelDirectory!);
            Assert.True(model.HasAdapter);
            Assert.Equal(ScoringMode.OptionText, model.Scoring);
            PromptRobustnessMetrics again = mlContext.Paft().Evaluate(model, test, templates);
            Assert.Equal(method.TestAccuracies.Select(a => a.Value), again.Templates.Select(t => t.Accuracy));
        }
        // The base is a Hugging Face checkpoint with the demo's tokenizer.
        using var baseModel = LlamaForCausalLM.FromPretrained(result.Base.Directory);
        Assert.Equal(result.Base.VocabularySize, baseModel.Config.VocabSize);
        Assert.Equal(16, baseModel.Config.HiddenSize);
        Assert.Equal(result.Base.VocabularySize, TokenizerLoader.Load(result.Base.Directory).VocabSize);
    }

    [Fact]
    public void SameSeedGivesTheSameResult()
    {
        DemoResult a = run.Result;
        DemoResult b = DemoRecipe.Run(TinyDemoRun.Options(null));
        Assert.Equal(a.Base.PretrainLosses, b.Base.PretrainLosses);
        Assert.Equal(a.Methods.Select(m => m.Losses), b.Methods.Select(m => m.Losses));
        Assert.Equal(a.Methods.SelectMany(m => m.TestAccuracies), b.Methods.SelectMany(m => m.TestAccuracies));
        Assert.Equal(a.AdversarialTemplates, b.AdversarialTemplates);
        Assert.Equal(a.Methods.Select(m => m.Adversarial!.MeanAccuracy), b.Methods.Select(m => m.Adversarial!.MeanAccuracy));
        Assert.Equal(a.Methods.Select(m => m.TrainTemplateIds.FirstOrDefault()), b.Methods.Select(m => m.TrainTemplateIds.FirstOrDefault()));
        Assert.Equal(a.Methods.Select(m => m.Timing.Generation?.MeanGeneratedTokens), b.Methods.Select(m => m.Timing.Generation?.MeanGeneratedTokens));
    }

    [Fact]
    public void BaselinesChooseOneTrainingTemplateAndSayHow()
    {
        DemoResult result = run.Result;
        var training = result.TrainTemplates.Select(t => t.Key).ToHashSet();
        foreach (string name in new[] { "sft-top", "zopo", "batprompt" })
        {
            DemoMethodResult method = result.Methods.Single(m => m.Name == name);
            Assert.Contains(Assert.Single(method.TrainTemplateIds), training);
            Assert.False(string.IsNullOrWhiteSpace(method.Selection));
            Assert.True(method.Timing.SelectionSeconds > 0, $"{name}: choosing a template took no time");
            Assert.True(method.Timing.TrainingSeconds > 0);
        }
        Assert.Contains("of 6 templates evaluated", result.Methods.Single(m => m.Name == "zopo").Selection); // the pool
        Assert.Null(result.Methods[0].Selection);
        Assert.Equal(0, result.Methods[0].Timing.TotalTrainingSeconds);
        Assert.Null(result.Methods.Single(m => m.Name == "paft").Selection);
    }

    [Fact]
    public void EveryModelIsAlsoScoredOnTheAdversarialVariantsOfTheTestTemplates()
    {
        DemoResult result = run.Result;
        Assert.Equal(result.TestTemplates.Count, result.AdversarialTemplates.Count); // one variant each by default
        Assert.Empty(result.AdversarialTemplates.Select(t => t.Value).Intersect(result.TestTemplates.Select(t => t.Value)));
        foreach (KeyValuePair<string, string> adversarial in result.AdversarialTemplates)
            Assert.Empty(PromptTemplate.Parse(adversarial.Value, adversarial.Key).Validate(DemoTask.Definition));
        foreach (DemoMethodResult method in result.Methods)
        {
            Assert.Equal(result.AdversarialTemplates.Select(t => t.Key), method.Adversarial!.Templates.Select(t => t.TemplateId));
            Assert.All(method.Adversarial.Templates, t => Assert.Equal(0, t.Accuracy * 4 % 1, 9));
        }
    }

    [Fact]
    public void GenerationModeIsTimedThroughTheTransformer()
    {
        DemoResult result = run.Result;
        foreach (DemoMethodResult method in result.Methods)
        {
            DemoGeneration generation = method.Timing.Generation!;
            // 5 prompts over the first 2 test templates: 3 rows each.
            Assert.Equal(6, generation.Prompts);
            Assert.True(generation.Seconds > 0);
            Assert.InRange(generation.MeanGeneratedTokens, 0, 4); // GenerationMaxNewTokens 4
        }
    }

    [Fact]
    public void FineTunesAGivenBaseInsteadOfPretraining()
    {
        DemoResult result = DemoRecipe.Run(new DemoOptions
        {
            Seed = 3, BaseModelDirectory = Path.Combine(_out, "base"), TrainExamples = 4, ValidationExamples = 2, TestExamples = 2,
            FineTuneBatchSize = 4, FineTuneEpochs = 1, Templates = 4, TestTemplateFraction = 0.5, LoraRank = 2, LoraTargets = ["q_proj"], GenerationPrompts = 0,
        });
        Assert.Empty(result.Base.PretrainLosses);
        Assert.Equal(run.Result.Base.Parameters, result.Base.Parameters);
        Assert.Equal([0, 1, 1, 1, 1, 1], result.Methods.Select(m => m.Losses.Count)); // 4 examples, batch 4: one step each
        Assert.All(result.Methods, m => Assert.Null(m.Timing.Generation)); // GenerationPrompts 0 skips the measurement
        Assert.All(result.Methods, m => Assert.Equal(result.TestTemplates.Count, m.TestAccuracies.Count));
    }

    [Fact]
    public void PretrainBaseWritesTheBaseModelOnly()
    {
        string output = Path.Combine(_out, "base-only");
        DemoBase made = DemoRecipe.PretrainBase(TinyDemoRun.Options(output));
        Assert.Equal(Path.Combine(output, "base"), made.Directory);
        Assert.Equal(run.Result.Base.PretrainLosses, made.PretrainLosses); // the same seed pretrains the same model
        Assert.Equal(["base", "data", "prompts"], Directory.GetDirectories(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(run.Result.TrainTemplates.Select(t => t.Key), made.TrainTemplates.Select(t => t.Id));
        // The files read back, through the library's readers, as the rows and pools the run used.
        TaskDefinition task = TaskDefinitionFile.Load(Path.Combine(output, DemoFiles.TaskFileName));
        Assert.Equal(DemoTask.Definition.Fields, task.Fields);
        Assert.Equal(DemoTask.Definition.OptionFields, task.OptionFields);
        IReadOnlyList<TaskExample> test = TaskReaders.ReadGeneric(task, Path.Combine(output, "data", "test.jsonl"));
        Assert.Equal(made.Splits.Test.Select(r => r.Label), test.Select(r => r.Label));
        Assert.Equal(made.Splits.Test.Select(r => r.Fields["context"]), test.Select(r => r.Fields["context"]));
        Assert.Equal(made.Splits.Train.Count, TaskReaders.ReadGeneric(task, Path.Combine(output, "data", "train.jsonl")).Count);
        Assert.Equal(made.TestTemplates.Select(t => t.Text), PromptPool.Load(Path.Combine(output, "prompts", "test.jsonl")).Templates.Select(t => t.Text));
        Assert.Equal(made.TrainTemplates.Select(t => t.Id), PromptPool.Load(Path.Combine(output, "prompts", "train.jsonl")).Templates.Select(t => t.Id));
        Assert.Throws<ArgumentException>(() => DemoRecipe.PretrainBase(TinyDemoRun.Options(null)));
    }

    [Fact]
    public void AGivenBaseWithAnotherVocabularyIsRefusedNamingTheFile()
    {
        string other = Path.Combine(_out, "other-base");
        Directory.CreateDirectory(other);
        string tokenizerPath = Path.Combine(other, WordLevelTokenizer.FileName);
        WordLevelTokenizer.FromTexts(["some other words"]).Save(tokenizerPath);
        var e = Assert.Throws<InvalidDataException>(() => DemoRecipe.Run(new DemoOptions { BaseModelDirectory = other }));
        Assert.Contains(tokenizerPath, e.Message);
    }

    [Fact]
    public void BadOptionsNameTheSetting()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DemoRecipe.Run(new DemoOptions { Templates = 2 }));
        Assert.Equal("Templates", e.ParamName);
    }
}
