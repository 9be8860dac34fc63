using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.Llama.Inference;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.MLNet.Connectors;
using Paft.MLNet.Evaluation;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;

namespace Paft.MLNet.Tests.Docs;

/// <summary>
/// The C# snippets of docs/api.md, kept here so they compile against the real API and, where they need
/// no model or network, run and check what the guide says they do. A snippet changed here must be
/// changed in docs/api.md too (each test names its section).
/// </summary>
public class ApiSnippetsTests
{
    // api.md § "The catalog and the trainer options"
    [Fact]
    public void TrainerOptionDefaultsAreThePapersSettings()
    {
        var mlContext = new MLContext(seed: 0);
        PaftCatalog paft = mlContext.Paft();
        var options = new PaftTrainerOptions();

        Assert.NotNull(paft.Trainers);
        Assert.NotNull(paft.Transforms);
        // The values api.md's defaults table lists (the PAFT paper's published settings).
        Assert.Equal(8, options.Lora.Rank);
        Assert.Equal(16, options.Lora.Alpha);
        Assert.Equal(0, options.Lora.Dropout);
        Assert.Equal(["q_proj", "v_proj"], options.Lora.TargetModules);
        Assert.Equal(1e-4, options.LearningRate);
        Assert.Equal(0.1, options.WarmupRatio);
        Assert.Equal(3, options.Epochs);
        Assert.Equal(8, options.BatchSize);
        Assert.Equal(1, options.GradientAccumulationSteps);
        Assert.Equal(4, options.RedrawEverySteps);
        Assert.Equal(1024, options.MaxLength);
        Assert.Equal(1.0, options.MaxGradientNorm);
        Assert.Equal(0, options.WeightDecay);
        Assert.Equal(ScoringMode.AnswerLetter, options.Scoring);
        Assert.Equal(PaftComputeType.Float32, options.ComputeType);
        Assert.Equal(16, options.PredictionBatchSize);
        Assert.Equal(16, options.MaxNewTokens);
        Assert.Equal(2, options.KeepCheckpoints);
    }

    // api.md § "Prompt templates"
    [Fact]
    public void TemplateParsesRendersAndValidates()
    {
        PromptTemplate template = PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", id: "inline");
        string prompt = template.Render(new Dictionary<string, string>
        {
            ["goal"] = "keep bread fresh",
            ["sol1"] = "seal it in a bag",
            ["sol2"] = "leave it in the sun",
        });
        IReadOnlyList<TemplateProblem> problems = template.Validate(TaskDefinition.Piqa);

        Assert.Equal("Goal: keep bread fresh\nA. seal it in a bag\nB. leave it in the sun\nAnswer:", prompt);
        Assert.Empty(problems);
        Assert.Equal(["goal", "sol1", "sol2"], template.Placeholders);

        // The PAFT authors' files spell a newline as the two characters \n.
        PromptTemplate authors = PromptTemplate.Parse(@"{goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "authors-1",
            PromptTextEscaping.BackslashSequences);
        string rendered = authors.Render(new Dictionary<string, string> { ["goal"] = "g", ["sol1"] = "x", ["sol2"] = "y" });
        Assert.Equal("g\nA. x\nB. y\nAnswer:", rendered);

        // A template that forgets an option is reported, not silently accepted.
        PromptTemplate missing = PromptTemplate.Parse("{goal} A. {sol1} Answer:", "missing-sol2");
        Assert.Contains(missing.Validate(TaskDefinition.Piqa), p => p.Message.Contains("sol2", StringComparison.Ordinal));
    }

    // api.md § "Prompt pools and the offline generator"
    [Fact]
    public void OfflinePoolSplitsIntoDisjointPoolsAndRoundTripsThroughJsonl()
    {
        using var folder = new TempFolder();
        var generator = new OfflineTemplateGenerator(TaskDefinition.Piqa);
        PromptPool pool = generator.GeneratePool(count: 40, seed: 1);
        PromptPoolSplit split = pool.Split(testFraction: 0.25, seed: 7);
        split.Train.Save(Path.Combine(folder.Path, "train.jsonl"));
        split.Test.Save(Path.Combine(folder.Path, "test.jsonl"));
        PromptPool test = PromptPool.Load(Path.Combine(folder.Path, "test.jsonl"));

        Assert.Equal(40, pool.Count);
        Assert.Empty(pool.Validate(TaskDefinition.Piqa));
        Assert.Equal(pool.Count, split.Train.Count + split.Test.Count);
        Assert.Empty(split.Train.Select(e => e.Template.Id).Intersect(split.Test.Select(e => e.Template.Id)));
        Assert.InRange(split.Test.Count, 1, pool.Count - 1);
        Assert.Equal(split.Test.Templates.Select(t => (t.Id, t.Text)), test.Templates.Select(t => (t.Id, t.Text)));
    }

    // api.md § "Task data"
    [Fact]
    public void TaskReadersGiveTemplateFieldsAndLabels()
    {
        using var folder = new TempFolder();
        string rows = Path.Combine(folder.Path, "piqa.jsonl");
        File.WriteAllText(rows,
            """
            {"goal": "keep bread fresh", "sol1": "seal it in a bag", "sol2": "leave it in the sun"}
            {"goal": "cool soup", "sol1": "boil it", "sol2": "stir it in a cold bowl"}
            """);
        File.WriteAllText(Path.Combine(folder.Path, "piqa-labels.lst"), "0\n1\n");

        TaskReadResult piqa = TaskReaders.ReadPiqa(rows, labelsPath: Path.Combine(folder.Path, "piqa-labels.lst"));
        IDataView data = piqa.ToDataView();

        Assert.Equal(2, piqa.Count);
        Assert.Equal("cool soup", piqa[1].Fields["goal"]);
        Assert.Equal([0, 1], piqa.Select(e => e.Label));
        // The view's Label is an ML.NET key: value k + 1 is option k (0 would be an unlabelled row).
        Assert.Equal([1u, 2u], data.GetColumn<uint>(TaskDataView.LabelColumnName));

        // Your own task: any fields, read from jsonl with one string per field and a label.
        var yesNo = new TaskDefinition("yesno", fields: ["question", "yes", "no"], optionFields: ["yes", "no"]);
        string own = Path.Combine(folder.Path, "yesno.jsonl");
        File.WriteAllText(own, """{"question": "Is ice cold?", "yes": "yes", "no": "no", "label": "A"}""" + "\n");
        TaskReadResult mine = TaskReaders.Read(yesNo, own);

        Assert.Equal(0, mine.Single().Label);
        Assert.Equal("Is ice cold?", mine.Single().Fields["question"]);

        // Hand the task and its rows to `paft --task-def` or another program (both written atomically).
        TaskDefinitionFile.Save(yesNo, Path.Combine(folder.Path, "yesno.task.json"));
        TaskDataJsonl.Write(yesNo, mine, Path.Combine(folder.Path, "yesno-copy.jsonl"));
        TaskDefinition again = TaskDefinitionFile.Load(Path.Combine(folder.Path, "yesno.task.json"));

        Assert.Equal(yesNo.Fields, again.Fields);
        Assert.Equal(yesNo.AnswerLabels, again.AnswerLabels);
        Assert.Equal(mine.Single().Fields, TaskReaders.Read(again, Path.Combine(folder.Path, "yesno-copy.jsonl")).Single().Fields);
    }

    // api.md § "Evaluation"
    [Fact]
    public void TopXThresholdsAreThePapers()
    {
        Assert.Equal(0.90, TopXThresholds.For(TaskDefinition.HellaSwag));
        Assert.Equal(0.80, TopXThresholds.For(TaskDefinition.WinoGrande));
        Assert.Equal(0.85, TopXThresholds.For(TaskDefinition.Piqa));
        Assert.Equal(0.85, TopXThresholds.For(TaskDefinition.Race));
        Assert.Null(TopXThresholds.For(new TaskDefinition("mine", ["q", "a", "b"], ["a", "b"])));
    }

    // api.md § "Loading a LLaMA, tokenizing, generating" (on the tiny Llama 2 fixture)
    [SharedFact]
    public void LoadTokenizeAndGenerate()
    {
        string modelDir = SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");

        using LlamaForCausalLM model = LlamaForCausalLM.FromPretrained(modelDir);
        ILlamaTokenizer tokenizer = TokenizerLoader.Load(modelDir);
        IReadOnlyList<int> prompt = tokenizer.Encode("Hello world", addBos: true);
        IReadOnlyList<int> generated = new LlamaGenerator(model).Generate(prompt,
            new GenerationOptions { MaxNewTokens = 4, Temperature = 0 });

        Assert.Equal(tokenizer.BosId, prompt[0]);
        Assert.Equal("Hello world", tokenizer.Decode(prompt, skipSpecial: true));
        Assert.InRange(generated.Count, 1, 4);
        Assert.All(generated, id => Assert.InRange(id, 0, model.Config.VocabSize - 1));
    }

    // api.md § "LoRA adapters in PEFT layout" (on the tiny Llama 3 fixture and its adapter)
    [SharedFact]
    public void PeftAdapterLoadsAndSavesInPeftLayout()
    {
        using var folder = new TempFolder();
        string baseDir = SharedData.Path("fixtures", "llama", "tiny-llama3-bf16");
        string adapterDir = SharedData.Path("fixtures", "lora", "tiny-llama3-bf16-adapter");

        using LlamaForCausalLM model = LlamaForCausalLM.FromPretrained(baseDir);
        LoraConfig config = PeftAdapter.ReadConfig(adapterDir);
        LoraAdapterSet lora = PeftAdapter.Load(model, adapterDir);
        PeftAdapter.Save(lora, folder.Path, baseModelNameOrPath: baseDir);

        Assert.Equal(config.Rank, lora.Config.Rank);
        // One adapter on q_proj and one on v_proj in every layer.
        Assert.Equal(2 * model.Config.NumHiddenLayers, lora.Adapters.Count);
        Assert.True(File.Exists(Path.Combine(folder.Path, PeftAdapter.ConfigFileName)));
        Assert.True(File.Exists(Path.Combine(folder.Path, PeftAdapter.WeightsFileName)));
        Assert.Equal(config.Rank, PeftAdapter.ReadConfig(folder.Path).Rank);
    }

    // The snippets below need a real base model, data and minutes of CPU (or a network LLM): they are
    // compiled, never run here. The training path itself is tested in Training/PaftPipelineTests.

    // api.md § "Fine-tuning with PAFT, saving, loading, evaluating"
    internal static PromptRobustnessMetrics TrainSaveLoadEvaluate(string modelDir, string trainRows, string testRows,
        string trainPool, string testPool, string saveTo)
    {
        var mlContext = new MLContext(seed: 0);
        var options = new PaftTrainerOptions
        {
            ModelPath = modelDir,
            Task = TaskDefinition.Piqa,
            TrainingTemplates = PromptPool.Load(trainPool).Templates.ToArray(),
            Seed = 42,
        };
        IDataView train = TaskReaders.ReadPiqa(trainRows).ToDataView();
        IDataView test = TaskReaders.ReadPiqa(testRows).ToDataView();

        PaftTransformer model = mlContext.Paft().Trainers.PromptAgnosticFineTuning(options).Fit(train);
        model.Save(saveTo);

        PaftTransformer loaded = PaftTransformer.Load(mlContext, saveTo);
        IDataView predictions = loaded.Transform(test);   // PredictedLabel (key: A, B), Score (probabilities)
        _ = predictions.GetColumn<uint>("PredictedLabel").ToArray();

        PromptRobustnessMetrics metrics = mlContext.Paft().Evaluate(loaded, test, PromptPool.Load(testPool).Templates);
        Console.WriteLine($"mean {metrics.MeanAccuracy:P1} ± {metrics.AccuracyStdDev:P1}, min {metrics.MinAccuracy:P1}, " +
            $"Top-{metrics.TopXThreshold:P0} {metrics.TopXShare:P0}");
        metrics.SaveJson("eval.json");
        return metrics;
    }

    // getting-started.md § "Your first PAFT run from C#"
    internal static void FirstRun()
    {
        var mlContext = new MLContext(seed: 0);

        // Templates: an offline pool, split into training and unseen test templates.
        PromptPool pool = new OfflineTemplateGenerator(TaskDefinition.Piqa).GeneratePool(count: 300, seed: 1);
        PromptPoolSplit split = pool.Split(testFraction: 0.15, seed: 7);

        // Data in PIQA's format (goal, sol1, sol2 + a labels file).
        IDataView train = TaskReaders.ReadPiqa("piqa/train.jsonl", "piqa/train-labels.lst").ToDataView();
        IDataView dev = TaskReaders.ReadPiqa("piqa/dev.jsonl", "piqa/dev-labels.lst").ToDataView();

        var options = new PaftTrainerOptions
        {
            ModelPath = "models/base",
            Task = TaskDefinition.Piqa,
            TrainingTemplates = split.Train.Templates.ToArray(),
            Progress = new Progress<PaftProgress>(p => Console.WriteLine($"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4}")),
        };

        PaftTransformer paft = mlContext.Paft().Trainers.PromptAgnosticFineTuning(options).Fit(train);
        paft.Save("runs/paft");

        PromptRobustnessMetrics metrics = mlContext.Paft().Evaluate(paft, dev, split.Test.Templates);
        Console.WriteLine($"PAFT on {metrics.Templates.Count} unseen templates: mean {metrics.MeanAccuracy:P1}, " +
            $"std {metrics.AccuracyStdDev:P1}, min {metrics.MinAccuracy:P1}, Top-{metrics.TopXThreshold:P0} {metrics.TopXShare:P0}");
    }

    // api.md § "The baselines"
    internal static void Baselines(MLContext mlContext, PaftTrainerOptions options, IDataView train, IDataView validation)
    {
        PaftTransformer baseModel = mlContext.Paft().Trainers.BaseModel(options).Fit(train); // loads; trains nothing
        PaftTransformer sft = mlContext.Paft().Trainers.SupervisedFineTuning(options, options.TrainingTemplates[0]).Fit(train);
        PaftTransformer topAccuracy = mlContext.Paft().Trainers
            .TopAccuracyFineTuning(new TemplateSelectionTrainerOptions { Trainer = options, SelectionData = validation }).Fit(train);
        TemplateSelection chosen = topAccuracy.TrainingInfo!.Selection!;
        Console.WriteLine($"TopAccuracy picked {chosen.TemplateId} ({chosen.Accuracy:P1} on validation)");

        PaftTransformer zopo = mlContext.Paft().Trainers.ZopoFineTuning(new ZopoTrainerOptions
        {
            Trainer = options, SelectionData = validation, Search = new ZopoOptions { Budget = 20 },
        }).Fit(train);
        ZopoResult searched = zopo.TrainingInfo!.Selection!.Zopo!;
        Console.WriteLine($"ZOPO picked {searched.Best.Id} ({searched.BestAccuracy:P1}) after {searched.Trace.Count} evaluations");

        // ZOPO over a sentence-embedding model's vectors instead of the base model's hidden states.
        using (var embedder = LlmClientFactory.CreateTemplateEmbedder(new LlmClientSettings
        {
            Endpoint = new Uri("https://api.openai.com/v1"), Model = "text-embedding-3-small", ApiKeyEnvironmentVariable = "OPENAI_API_KEY",
        }))
        {
            PaftTransformer zopoEmbedded = mlContext.Paft().Trainers.ZopoFineTuning(new ZopoTrainerOptions
            {
                Trainer = options, SelectionData = validation, Search = new ZopoOptions { Budget = 20 }, Embedder = embedder,
            }).Fit(train);
            Console.WriteLine($"{embedder.Name} placed the pool in {embedder.RequestCount} request(s); " +
                $"ZOPO picked {zopoEmbedded.TrainingInfo!.Selection!.TemplateId}");
        }

        PaftTransformer robust = mlContext.Paft().Trainers
            .BatpromptFineTuning(new BatpromptTrainerOptions { Trainer = options, SelectionData = validation }).Fit(train);
        BatpromptResult scored = robust.TrainingInfo!.Selection!.Batprompt!;
        Console.WriteLine($"BATprompt picked {scored.Best.Id}: clean {scored.Score.CleanAccuracy:P1}, perturbed {scored.Score.PerturbedAccuracy:P1}");
        _ = (baseModel, sft, topAccuracy, zopo, robust);
    }

    // api.md § "Templates written by LLMs"
    internal static async Task<PromptPool> GenerateWithLlms()
    {
        using LlmClient ollama = LlmClientFactory.Create(new LlmClientSettings
        {
            Kind = LlmClientKind.Ollama,
            Endpoint = new Uri("http://localhost:11434"),
            Model = "llama3.1:8b",
        });
        using LlmClient openAi = LlmClientFactory.Create(new LlmClientSettings
        {
            Kind = LlmClientKind.OpenAI,
            Endpoint = new Uri("https://api.openai.com/v1"),
            Model = "gpt-4o-mini",
            ApiKeyEnvironmentVariable = "OPENAI_API_KEY",
        });
        var generator = new LlmTemplateGenerator([ollama, openAi], new LlmTemplateGeneratorOptions
        {
            RequestsPerClient = 4,
            TemplatesPerRequest = 10,
            CacheDirectory = ".paft-cache/llm",
        });
        LlmGenerationResult result = await generator.GenerateAsync(TaskDefinition.Piqa);
        return PromptPool.FromTemplates(result.Accepted.Select((t, i) => PromptTemplate.Parse(t.Text, $"llm-{i}")))
            .RemoveExactDuplicates()
            .RemoveNearDuplicates();
    }
}
