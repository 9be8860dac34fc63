using System.Diagnostics;
using Microsoft.ML;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.Llama.Training;
using Paft.MLNet;
using Paft.MLNet.Perturbation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.Demo;

/// <summary>
/// The embedded demo, end to end on CPU: builds the word-level tokenizer, pretrains a tiny LLaMA on plain
/// stories of the demo world, then runs the paper's Table 1 on it through Paft.MLNet's public API
/// (<c>mlContext.Paft()</c>): LoRA SFT on one training template, SFT on the template chosen by TopAccuracy,
/// ZOPO and BATprompt, and PAFT (a template redrawn from the training pool every K optimizer steps), all with
/// the catalog's trainers; every model, and the base, is evaluated with <c>mlContext.Paft().Evaluate</c> on unseen
/// test templates and on their seeded adversarial variants. It also measures what each method cost: choosing
/// its template, fine-tuning, and answering in the transformer's generation mode (Tables 6 and 2).
/// </summary>
/// <remarks>
/// Fine-tuning follows <see cref="PaftRecipes.SmallModel"/>: the answer is the option's own text, scored among
/// the four options' texts, as lm-evaluation-harness scores options. With answer LETTERS (the paper's target)
/// single-template SFT stayed at chance on its own template in every configuration measured: naming the letter
/// needs a second lookup (which label stands before the right option) that this tiny model never learns.
/// </remarks>
public static partial class DemoRecipe
{
    /// <summary>Runs the demo.</summary>
    /// <param name="options">Settings; the defaults are the measured recipe.</param>
    /// <param name="progress">Receives reports synchronously on the calling thread.</param>
    /// <param name="cancellationToken">Checked before every training step.</param>
    /// <returns>Per-method robustness metrics, training curves, timings; the models, and the task, rows and pools
    /// (<see cref="DemoFiles"/>), are in <see cref="DemoOptions.OutputDirectory"/> when one is given.</returns>
    public static DemoResult Run(DemoOptions options, IProgress<DemoProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        string root = Root(options);
        try
        {
            DemoBase setup = Prepare(options, root, progress, cancellationToken);
            timings["pretrain"] = Lap(clock);
            var adversarial = new AdversarialTemplateGenerator(new AdversarialTemplateOptions
            {
                VariantsPerTemplate = options.AdversarialVariants,
                Seed = options.Seed,
            }).Generate(PromptPool.FromTemplates(setup.TestTemplates), setup.Task).Templates.ToList();
            var runner = new MethodRunner(options, setup, root, adversarial, progress, cancellationToken);

            var methods = new List<DemoMethodResult> { runner.Base() };
            timings["evaluate-base"] = Lap(clock);
            foreach (string name in new[] { "sft", "sft-top", "zopo", "batprompt" })
            {
                methods.Add(runner.SingleTemplate(name));
                timings[name] = Lap(clock);
            }
            methods.Add(runner.Paft("paft", setup.TrainTemplates, options.RedrawEverySteps, options.FineTuneEpochs));
            timings["paft"] = Lap(clock);
            timings["total"] = total.Elapsed.TotalSeconds;

            return new DemoResult(options, setup.Task.Name, Pairs(setup.TrainTemplates), Pairs(setup.TestTemplates), Pairs(adversarial),
                methods, setup, timings);
        }
        finally
        {
            if (options.OutputDirectory is null && Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Pretrains the demo's base model into <c>base/</c> of <see cref="DemoOptions.OutputDirectory"/> (or copies
    /// <see cref="DemoOptions.BaseModelDirectory"/> there) without fine-tuning anything, writes the task, its rows and
    /// its pools beside it (<see cref="DemoFiles"/>), and returns them all: what a user needs to fine-tune on the demo's task through
    /// <c>mlContext.Paft()</c> (see <see cref="TrainerOptions"/>).
    /// </summary>
    /// <param name="options">Settings; <see cref="DemoOptions.OutputDirectory"/> is required.</param>
    /// <param name="progress">Receives pretraining reports synchronously on the calling thread.</param>
    /// <param name="cancellationToken">Checked before every pretraining step.</param>
    /// <exception cref="ArgumentException"><see cref="DemoOptions.OutputDirectory"/> is not set, or a setting is out of range.</exception>
    public static DemoBase PretrainBase(DemoOptions options, IProgress<DemoProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.OutputDirectory is null)
            throw new ArgumentException("DemoOptions.OutputDirectory is required: the base model is written to its base/ folder.", nameof(options));
        return Prepare(options, Root(options), progress, cancellationToken);
    }

    /// <summary>
    /// The trainer options the demo fine-tunes with: <see cref="PaftRecipes.SmallModel"/> with the options' LoRA,
    /// learning rate, batch, K, epochs, answer target, scoring, compute type and seed, on <paramref name="baseModel"/>'s
    /// model and task, the training pool as <see cref="PaftTrainerOptions.TrainingTemplates"/>.
    /// </summary>
    public static PaftTrainerOptions TrainerOptions(DemoOptions options, DemoBase baseModel)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(baseModel);
        PaftTrainerOptions trainer = PaftRecipes.SmallModel();
        trainer.ModelPath = baseModel.Directory;
        trainer.Task = baseModel.Task;
        trainer.TrainingTemplates = baseModel.TrainTemplates;
        trainer.Lora = new LoraConfig { Rank = options.LoraRank, Alpha = options.LoraAlpha, TargetModules = options.LoraTargets };
        trainer.LearningRate = options.FineTuneLearningRate;
        trainer.BatchSize = options.FineTuneBatchSize;
        trainer.RedrawEverySteps = options.RedrawEverySteps;
        trainer.Epochs = options.FineTuneEpochs;
        trainer.AnswerTarget = options.AnswerTarget;
        trainer.Scoring = options.Scoring;
        trainer.ComputeType = options.ComputeType;
        trainer.PredictionBatchSize = options.EvaluationBatchSize;
        trainer.MaxNewTokens = options.GenerationMaxNewTokens;
        trainer.Seed = options.Seed;
        return trainer;
    }

    /// <summary>
    /// PAFT studies on one shared base model: for each setting, PAFT trained on the first N templates of the
    /// training pool, redrawing every K steps, for the given epochs, through <c>mlContext.Paft()</c>; every model
    /// evaluated on the same unseen test templates. Covers the paper's Figure 6 (N varies) and Table 3 (K and
    /// epochs vary on the full pool, see <see cref="DemoSweepSetting.Grid"/>). A setting given twice is trained once.
    /// </summary>
    /// <param name="options">The recipe; its own <see cref="DemoOptions.RedrawEverySteps"/> and <see cref="DemoOptions.FineTuneEpochs"/> are not used.</param>
    /// <param name="settings">The runs, at least one; the training pool must hold the largest N (raise <see cref="DemoOptions.Templates"/>).</param>
    /// <param name="progress">Receives reports synchronously on the calling thread.</param>
    /// <param name="cancellationToken">Checked before every training step.</param>
    /// <returns>One point per setting, in the order given; models in <c>paft-nN-kK-eE/</c> (<see cref="DemoSweepSetting.Name"/>) when an output folder is set.</returns>
    public static IReadOnlyList<DemoSweepPoint> Sweep(DemoOptions options, IReadOnlyList<DemoSweepSetting> settings,
        IProgress<DemoProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Count == 0)
            throw new ArgumentException("Give at least one setting.", nameof(settings));
        options.Validate();
        int poolSize = TrainingPoolSize(options);
        foreach (DemoSweepSetting setting in settings)
            setting.Validate(poolSize);
        string root = Root(options);
        try
        {
            DemoBase setup = Prepare(options, root, progress, cancellationToken);
            var runner = new MethodRunner(options, setup, root, adversarial: [], progress, cancellationToken);
            var trained = new Dictionary<DemoSweepSetting, DemoMethodResult>();
            return settings.Select(setting =>
            {
                if (!trained.TryGetValue(setting, out DemoMethodResult? result))
                {
                    result = runner.Paft(setting.Name, setup.TrainTemplates.Take(setting.TrainingTemplates).ToList(), setting.RedrawEverySteps, setting.Epochs);
                    trained[setting] = result;
                }
                return new DemoSweepPoint(setting, result);
            }).ToList();
        }
        finally
        {
            if (options.OutputDirectory is null && Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>How many templates the recipe's training pool holds with these options (the "full pool" of the paper's Table 3).</summary>
    public static int TrainingPoolSize(DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Pools(options).Train.Templates.Count();
    }

    private static string Root(DemoOptions options) =>
        Path.GetFullPath(options.OutputDirectory ?? Path.Combine(Path.GetTempPath(), "paft-demo-" + Guid.NewGuid().ToString("N")));

    private static List<KeyValuePair<string, string>> Pairs(IEnumerable<PromptTemplate> templates) =>
        templates.Select(t => new KeyValuePair<string, string>(t.Id, t.Text)).ToList();

    /// <summary>Vocabulary, rows, pools, and the base model in <c>base/</c> of <paramref name="root"/> (pretrained, or the given one copied).</summary>
    private static DemoBase Prepare(DemoOptions options, string root, IProgress<DemoProgress>? progress, CancellationToken cancellationToken)
    {
        WordLevelTokenizer tokenizer = DemoVocabulary.CreateTokenizer();
        TaskDefinition task = DemoTask.Definition;
        DemoSplits splits = DemoTask.Split(options.TrainExamples, options.ValidationExamples, options.TestExamples, options.Seed, options.StoryFacts);
        PromptPoolSplit pools = Pools(options);
        var trainTemplates = pools.Train.Templates.ToList();
        var testTemplates = pools.Test.Templates.ToList();
        if (trainTemplates.Count == 0 || testTemplates.Count == 0)
            throw new InvalidOperationException(
                $"The split of {options.Templates} templates left the training pool with {trainTemplates.Count} and the test pool with {testTemplates.Count}; use more templates.");
        string baseDir = Path.Combine(root, "base");
        (IReadOnlyList<double> losses, long tokens) = options.BaseModelDirectory is string given
            ? UseGivenBase(given, baseDir, tokenizer)
            : Pretrain(options, tokenizer, baseDir, progress, cancellationToken);
        using LlamaForCausalLM model = LlamaForCausalLM.FromPretrained(baseDir);
        double plain = DemoPlainQuestion.Accuracy(model, tokenizer, splits.Test, options.EvaluationBatchSize);
        var made = new DemoBase(baseDir, task, splits, trainTemplates, testTemplates, losses, tokens,
            model.parameters().Sum(p => p.numel()), tokenizer.VocabSize, plain);
        if (options.OutputDirectory is not null)
            DemoFiles.Write(made, root);
        return made;
    }

    private static PromptPoolSplit Pools(DemoOptions options) =>
        new OfflineTemplateGenerator(DemoTask.Definition).GeneratePool(options.Templates, options.Seed).Split(options.TestTemplateFraction, options.Seed);

    /// <summary>The model's architecture for the demo's vocabulary.</summary>
    internal static LlamaConfig ModelConfig(DemoOptions options, WordLevelTokenizer tokenizer) => new()
    {
        VocabSize = tokenizer.VocabSize,
        HiddenSize = options.HiddenSize,
        IntermediateSize = options.IntermediateSize,
        NumHiddenLayers = options.Layers,
        NumAttentionHeads = options.Heads,
        NumKeyValueHeads = options.Heads,
        HeadDim = options.HiddenSize / options.Heads,
        RmsNormEps = 1e-5,
        RopeTheta = 10000,
        TieWordEmbeddings = true,
        MaxPositionEmbeddings = 512,
        BosTokenId = tokenizer.BosId,
        EosTokenIds = [tokenizer.EosId],
        PadTokenId = WordLevelTokenizer.PadId,
    };

    private static (IReadOnlyList<double> Losses, long Tokens) Pretrain(DemoOptions o, WordLevelTokenizer tokenizer, string baseDir,
        IProgress<DemoProgress>? progress, CancellationToken cancellationToken)
    {
        var documents = DemoCorpus.Documents(o.PretrainDocuments, DemoTask.SplitSeed(o.Seed, 3), o.ListDocumentShare, o.StoryFacts)
            .Select(d => new TrainingExample(tokenizer.Encode(d.Lead, addBos: true), [.. tokenizer.Encode(d.Body), tokenizer.EosId]))
            .ToList();
        using var model = new LlamaForCausalLM(ModelConfig(o, tokenizer));
        model.InitializeWeights((ulong)o.Seed);
        long tokens = 0;
        IReadOnlyList<double> losses = DemoPretrainer.Train(model, documents, o.PretrainSteps, o.PretrainBatchSize, o.PretrainLearningRate, o.Seed,
            (step, loss, stepTokens) =>
            {
                tokens += stepTokens;
                progress?.Report(new DemoProgress("pretrain", step, o.PretrainSteps, loss, $"pretrain step {step}/{o.PretrainSteps} loss {loss:F3}"));
            },
            cancellationToken);
        LlamaCheckpointWriter.Save(model, baseDir);
        tokenizer.Save(Path.Combine(baseDir, WordLevelTokenizer.FileName));
        return (losses, tokens);
    }

    /// <summary>
    /// Takes a base model made earlier by this recipe instead of pretraining one: its tokenizer must be the
    /// demo's vocabulary. It is copied to <paramref name="baseDir"/> (nothing to do when it is that folder).
    /// </summary>
    private static (IReadOnlyList<double> Losses, long Tokens) UseGivenBase(string given, string baseDir, WordLevelTokenizer tokenizer)
    {
        string tokenizerPath = Path.Combine(given, WordLevelTokenizer.FileName);
        WordLevelTokenizer theirs = WordLevelTokenizer.Load(tokenizerPath);
        if (!theirs.Words.SequenceEqual(tokenizer.Words, StringComparer.Ordinal))
            throw new InvalidDataException($"'{tokenizerPath}' is not the demo's vocabulary; the base model must come from the demo recipe.");
        if (!string.Equals(Path.GetFullPath(given).TrimEnd(Path.DirectorySeparatorChar), baseDir.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            Directory.CreateDirectory(baseDir);
            foreach (string file in new[] { LlamaCheckpointWriter.ConfigFileName, LlamaCheckpointWriter.WeightsFileName, WordLevelTokenizer.FileName })
                File.Copy(Path.Combine(given, file), Path.Combine(baseDir, file), overwrite: true);
        }
        return ([], 0);
    }

    private static double Lap(Stopwatch clock)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }
}
