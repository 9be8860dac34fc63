using Paft.Llama.Checkpoints;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.MLNet.Demo;
using static TorchSharp.torch;

namespace Paft.MLNet.Tests.Demo;

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
    private readonly string _out = run.Output;

    [Fact]
    public void RunsEndToEndAndWritesLoadableModels()
    {
        List<DemoProgress> reports = run.Reports;
        DemoResult result = run.Result;

        Assert.Equal(["base", "sft", "sft-top", "zopo", "batprompt", "paft"], result.Methods.Select(m => m.Name));
        Assert.Equal(8, result.TrainTemplates.Count + result.TestTemplates.Count);
        Assert.Empty(result.TrainTemplates.Select(t => t.Key).Intersect(result.TestTemplates.Select(t => t.Key)));
        Assert.Equal(3, result.PretrainLosses.Count);
        Assert.Equal(3, reports.Count(r => r.Stage == "pretrain"));
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

        foreach (string name in new[] { "base", "sft", "sft-top", "zopo", "batprompt", "paft" })
        {
            string folder = Path.Combine(_out, name);
            using var model = LlamaForCausalLM.FromPretrained(folder);
            Assert.Equal(result.VocabularySize, model.Config.VocabSize);
            Assert.Equal(16, model.Config.HiddenSize);
            ILlamaTokenizer tokenizer = TokenizerLoader.Load(folder);
            Assert.Equal(result.VocabularySize, tokenizer.VocabSize);
        }
    }

    [Fact]
    public void MergedWeightsEqualBasePlusTheSavedPeftAdapter()
    {
        string adapter = Path.Combine(_out, "paft", "adapter");
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(adapter, "adapter_config.json")));
        Assert.Equal(2, config.RootElement.GetProperty("r").GetInt32());
        Assert.Equal("LORA", config.RootElement.GetProperty("peft_type").GetString());

        using var baseWeights = SafetensorsFile.Open(Path.Combine(_out, "base", "model.safetensors"));
        using var merged = SafetensorsFile.Open(Path.Combine(_out, "paft", "model.safetensors"));
        using var lora = SafetensorsFile.Open(Path.Combine(adapter, "adapter_model.safetensors"));
        // One layer, two targets, A and B each, with PEFT's names.
        Assert.Equal(4, lora.Names.Count());
        foreach (string target in new[] { "q_proj", "v_proj" })
        {
            string module = $"model.layers.0.self_attn.{target}";
            using Tensor a = lora.Read($"base_model.model.{module}.lora_A.weight", ScalarType.Float64, CPU);
            using Tensor b = lora.Read($"base_model.model.{module}.lora_B.weight", ScalarType.Float64, CPU);
            using Tensor w0 = baseWeights.Read(module + ".weight", ScalarType.Float64, CPU);
            using Tensor w1 = merged.Read(module + ".weight", ScalarType.Float64, CPU);
            Assert.Equal([2, 16], a.shape);
            Assert.Equal(16, b.shape[0]);
            // W' = W + (alpha / r) B A, alpha 4, r 2.
            using Tensor expected = w0 + 2.0 * b.matmul(a);
            Assert.True(expected.allclose(w1, rtol: 0, atol: 1e-6), $"{module}: merged weight is not base + 2 B A");
            Assert.True(b.abs().max().item<double>() > 0, $"{module}: lora_B never trained");
        }
        // Layers LoRA does not target are the base's, bit for bit.
        using Tensor up0 = baseWeights.Read("model.layers.0.mlp.up_proj.weight", ScalarType.Float32, CPU);
        using Tensor up1 = merged.Read("model.layers.0.mlp.up_proj.weight", ScalarType.Float32, CPU);
        Assert.True(up0.equal(up1).all().item<bool>());
    }

    [Fact]
    public void SameSeedGivesTheSameResult()
    {
        DemoResult a = run.Result;
        DemoResult b = DemoRecipe.Run(TinyDemoRun.Options(null));
        Assert.Equal(a.PretrainLosses, b.PretrainLosses);
        Assert.Equal(a.Methods.Select(m => m.Losses), b.Methods.Select(m => m.Losses));
        Assert.Equal(a.Methods.SelectMany(m => m.TestAccuracies), b.Methods.SelectMany(m => m.TestAccuracies));
        Assert.Equal(a.AdversarialTemplates, b.AdversarialTemplates);
        Assert.Equal(a.Methods.SelectMany(m => m.AdversarialAccuracies), b.Methods.SelectMany(m => m.AdversarialAccuracies));
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
        // ZOPO evaluates at most its budget of 3 templates; TopAccuracy evaluates all of them.
        Assert.Equal(3, run.Reports.Count(r => r.Stage == "select zopo"));
        Assert.Equal(result.TrainTemplates.Count, run.Reports.Count(r => r.Stage == "select top-accuracy"));
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
            Assert.Empty(Paft.MLNet.Prompts.PromptTemplate.Parse(adversarial.Value, adversarial.Key).Validate(DemoTask.Definition));
        foreach (DemoMethodResult method in result.Methods)
        {
            Assert.Equal(result.AdversarialTemplates.Select(t => t.Key), method.AdversarialAccuracies.Select(a => a.Key));
            Assert.All(method.AdversarialAccuracies, a => Assert.Equal(0, a.Value * 4 % 1, 9));
        }
    }

    [Fact]
    public void GenerationModeAnswersAsTheSavedModelGenerates()
    {
        DemoResult result = run.Result;
        DemoOptions options = TinyDemoRun.Options(null);
        var test = DemoTask.Split(options.TrainExamples, options.ValidationExamples, options.TestExamples, options.Seed, options.StoryFacts).Test;
        var templates = result.TestTemplates.Select(t => Paft.MLNet.Prompts.PromptTemplate.Parse(t.Value, t.Key)).ToList();
        foreach (string name in new[] { "base", "paft" })
        {
            DemoGeneration generation = result.Methods.Single(m => m.Name == name).Timing.Generation!;
            Assert.Equal(5, generation.Prompts);
            Assert.True(generation.Seconds > 0);

            // The same prompts through the saved (merged) model and the library's generator give the same lengths.
            string folder = Path.Combine(_out, name);
            using var model = LlamaForCausalLM.FromPretrained(folder);
            ILlamaTokenizer tokenizer = TokenizerLoader.Load(folder);
            var generator = new Paft.Llama.Inference.LlamaGenerator(model);
            var settings = new Paft.Llama.Inference.GenerationOptions { MaxNewTokens = 4, StopTokenIds = tokenizer.EosIds };
            double tokens = Enumerable.Range(0, 5).Average(p =>
                generator.Generate(tokenizer.Encode(templates[p % templates.Count].Render(test[p % test.Count].Fields), addBos: true), settings).Count);
            Assert.Equal(tokens, generation.MeanGeneratedTokens, 9);
            Assert.InRange(generation.MeanGeneratedTokens, 0, 4);
        }
    }

    [Fact]
    public void PaftRedrawsTheTemplateEveryKSteps()
    {
        const int rows = 96, pool = 10, k = 2, batch = 4, seed = 8;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            int[] templateOf = DemoRecipe.PaftTemplateAssignment(rows, pool, k, batch, seed, epoch);
            int[] order = Paft.Llama.Training.EpochShuffle.Order(rows, seed, epoch);
            // The trainer's step s visits order[s*batch .. s*batch+batch): K steps in a row share a template.
            var perGroup = Enumerable.Range(0, rows / (k * batch))
                .Select(g => order.Skip(g * k * batch).Take(k * batch).Select(r => templateOf[r]).Distinct().ToList())
                .ToList();
            Assert.All(perGroup, templates => Assert.Single(templates));
            Assert.True(perGroup.Select(t => t[0]).Distinct().Count() > 3, "the groups should draw different templates");
        }
        Assert.NotEqual(DemoRecipe.PaftTemplateAssignment(rows, pool, k, batch, seed, 0), DemoRecipe.PaftTemplateAssignment(rows, pool, k, batch, seed, 1));
    }

    [Fact]
    public void FineTunesAGivenBaseInsteadOfPretraining()
    {
        DemoResult result = DemoRecipe.Run(new DemoOptions
        {
            Seed = 3, BaseModelDirectory = Path.Combine(_out, "base"), TrainExamples = 4, ValidationExamples = 2, TestExamples = 2,
            FineTuneBatchSize = 4, FineTuneEpochs = 1, Templates = 4, TestTemplateFraction = 0.5, LoraRank = 2, LoraTargets = ["q_proj"], GenerationPrompts = 0,
        });
        Assert.Empty(result.PretrainLosses);
        Assert.Equal(run.Result.ModelParameters, result.ModelParameters);
        Assert.Equal([0, 1, 1, 1, 1, 1], result.Methods.Select(m => m.Losses.Count)); // 4 examples, batch 4: one step each
        Assert.All(result.Methods, m => Assert.Null(m.Timing.Generation)); // GenerationPrompts 0 skips the measurement
        Assert.All(result.Methods, m => Assert.Equal(result.TestTemplates.Count, m.TestAccuracies.Count));
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
