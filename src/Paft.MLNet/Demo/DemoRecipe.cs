using System.Diagnostics;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.Llama.Training;
using Paft.MLNet.Augmentation;
using Paft.MLNet.Perturbation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Demo;

/// <summary>
/// The embedded demo, end to end on CPU: builds the word-level tokenizer, pretrains a tiny LLaMA on plain
/// stories of the demo world, then runs the paper's Table 1 on it — LoRA SFT on one training template, SFT on
/// the template chosen by TopAccuracy (best base accuracy on validation examples), by ZOPO (Gaussian-process
/// search over the base model's hidden-state embeddings of the templates, within a budget) and by BATprompt
/// (offline: least drop under input noise), and PAFT (a template redrawn from the training pool every K
/// steps) — and scores the base and every method on unseen test templates and on their seeded adversarial
/// variants, by the log-likelihood of each option's answer after the template's cue. It also measures what
/// each method cost: choosing its template, fine-tuning, and answering in generation mode (Tables 6 and 2).
/// </summary>
/// <remarks>
/// What the answer is (<see cref="DemoOptions.AnswerForm"/>): by default the option's own word (the
/// container's colour), scored among the four options' words, as lm-evaluation-harness scores options.
/// With answer LETTERS (the paper's targets) single-template SFT stayed at chance on its own template in
/// every configuration measured: naming the letter needs a second lookup (which label stands before the
/// right option) that this tiny model never learns. With option words SFT learns its own template
/// (~90–100%) and the comparison the paper makes becomes measurable.
/// </remarks>
public static partial class DemoRecipe
{
    /// <summary>Runs the demo.</summary>
    /// <param name="options">Settings; the defaults are the measured recipe.</param>
    /// <param name="progress">Receives reports synchronously on the calling thread.</param>
    /// <param name="cancellationToken">Checked before every training step.</param>
    /// <returns>Per-method, per-template accuracies, training curves, timings; the models are in
    /// <see cref="DemoOptions.OutputDirectory"/> when one is given.</returns>
    public static DemoResult Run(DemoOptions options, IProgress<DemoProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        Setup setup = Prepare(options, progress, cancellationToken);
        (WordLevelTokenizer tokenizer, TaskDefinition task, DemoSplits splits, List<PromptTemplate> trainTemplates,
            List<PromptTemplate> testTemplates, RunContext run, string root, string baseDir) = setup;
        // The adversarial test set and the generation-mode timing belong to the comparison, not to the sweep.
        run.AdversarialTemplates = new AdversarialTemplateGenerator(new AdversarialTemplateOptions
        {
            VariantsPerTemplate = options.AdversarialVariants,
            Seed = options.Seed,
        }).Generate(PromptPool.FromTemplates(testTemplates), task).Templates.ToList();
        run.MeasureGeneration = options.GenerationPrompts > 0;
        timings["vocabulary"] = Lap(clock);
        try
        {
            (IReadOnlyList<double> pretrainLosses, long pretrainTokens, long parameterCount) = BaseModel(setup);
            timings["pretrain"] = Lap(clock);

            var methods = new List<DemoMethodResult>();
            double plainAccuracy;
            TemplateChoice top, zopo, robust;
            using (LlamaForCausalLM baseModel = LlamaForCausalLM.FromPretrained(baseDir))
            {
                plainAccuracy = run.PlainAccuracy(baseModel, splits.Test);
                methods.Add(run.Result("base", baseModel, [], testTemplates, splits.Test, [], 0, 0, null, options.OutputDirectory is null ? null : baseDir));
                timings["evaluate-base"] = Lap(clock);
                top = run.SelectTopAccuracy(baseModel, trainTemplates, splits.Validation);
                zopo = run.SelectZopo(baseModel, trainTemplates, splits.Validation);
                robust = run.SelectRobust(baseModel, trainTemplates, splits.Validation);
                timings["select"] = Lap(clock);
            }

            // The generator's seeded draw already puts the pool in random order: its first template is SFT's.
            var sft = new TemplateChoice(trainTemplates[0], 0, null);
            foreach ((string name, TemplateChoice choice) in new[] { ("sft", sft), ("sft-top", top), ("zopo", zopo), ("batprompt", robust) })
            {
                methods.Add(run.FineTune(name, baseDir, root, [choice.Template], splits, testTemplates,
                    SingleTemplate(run, choice.Template, splits.Train), choice: choice));
                timings[name] = Lap(clock);
            }
            methods.Add(run.FineTune("paft", baseDir, root, trainTemplates, splits, testTemplates, Redrawn(run, trainTemplates, splits.Train)));
            timings["paft"] = Lap(clock);
            timings["total"] = total.Elapsed.TotalSeconds;

            return new DemoResult(options, task.Name, Pairs(trainTemplates), Pairs(testTemplates), Pairs(run.AdversarialTemplates),
                methods, pretrainLosses, pretrainTokens, plainAccuracy, timings, parameterCount, tokenizer.VocabSize);
        }
        finally
        {
            if (options.OutputDirectory is null && Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    private static List<KeyValuePair<string, string>> Pairs(IEnumerable<PromptTemplate> templates) =>
        templates.Select(t => new KeyValuePair<string, string>(t.Id, t.Text)).ToList();

    /// <summary>
    /// The scaling study (the paper's Figure 6): one base model, then PAFT trained on the first N templates of
    /// the training pool for each N in <paramref name="poolSizes"/>, at the options' K and epochs, each evaluated
    /// on the same unseen test templates. The training pool must hold the largest N (raise <see cref="DemoOptions.Templates"/>).
    /// </summary>
    /// <returns>One result per pool size, in the order given; models in <c>paft-nN-kK-eE/</c> when an output folder is set.</returns>
    public static IReadOnlyList<DemoSweepPoint> Sweep(DemoOptions options, IReadOnlyList<int> poolSizes,
        IProgress<DemoProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(poolSizes);
        return Sweep(options, poolSizes.Select(n => new DemoSweepSetting(n, options.RedrawEverySteps, options.FineTuneEpochs)).ToList(),
            progress, cancellationToken);
    }

    /// <summary>
    /// PAFT studies on one shared base model: for each setting, PAFT trained on the first N templates of the
    /// training pool, redrawing every K steps, for the given epochs; every model evaluated on the same unseen
    /// test templates. Covers the paper's Figure 6 (N varies) and Table 3 (K and epochs vary on the full pool,
    /// see <see cref="DemoSweepSetting.Grid"/>). A setting given twice is trained once.
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
        Setup setup = Prepare(options, progress, cancellationToken);
        foreach (DemoSweepSetting setting in settings)
            setting.Validate(setup.TrainTemplates.Count);
        try
        {
            BaseModel(setup);
            var trained = new Dictionary<DemoSweepSetting, DemoMethodResult>();
            return settings.Select(setting =>
            {
                if (!trained.TryGetValue(setting, out DemoMethodResult? result))
                {
                    List<PromptTemplate> pool = setup.TrainTemplates.Take(setting.TrainingTemplates).ToList();
                    result = setup.Run.FineTune(setting.Name, setup.BaseDir, setup.Root, pool, setup.Splits, setup.TestTemplates,
                        Redrawn(setup.Run, pool, setup.Splits.Train, setting.RedrawEverySteps), setting.Epochs);
                    trained[setting] = result;
                }
                return new DemoSweepPoint(setting, result);
            }).ToList();
        }
        finally
        {
            if (options.OutputDirectory is null && Directory.Exists(setup.Root))
                Directory.Delete(setup.Root, recursive: true);
        }
    }

    /// <summary>How many templates the recipe's training pool holds with these options (the "full pool" of the paper's Table 3).</summary>
    public static int TrainingPoolSize(DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Pools(options).Train.Templates.Count();
    }

    /// <summary>What <see cref="Run"/> and the studies (<c>Sweep</c>) share: vocabulary, rows, pools and the output folders.</summary>
    private sealed record Setup(WordLevelTokenizer Tokenizer, TaskDefinition Task, DemoSplits Splits, List<PromptTemplate> TrainTemplates,
        List<PromptTemplate> TestTemplates, RunContext Run, string Root, string BaseDir);

    private static Setup Prepare(DemoOptions options, IProgress<DemoProgress>? progress, CancellationToken cancellationToken)
    {
        options.Validate();
        WordLevelTokenizer tokenizer = DemoVocabulary.CreateTokenizer();
        TaskDefinition task = DemoTask.Definition;
        DemoSplits splits = DemoTask.Split(options.TrainExamples, options.ValidationExamples, options.TestExamples, options.Seed, options.StoryFacts);
        PromptPoolSplit pools = Pools(options);
        var trainTemplates = pools.Train.Templates.ToList();
        var testTemplates = pools.Test.Templates.ToList();
        if (trainTemplates.Count == 0 || testTemplates.Count == 0)
            throw new InvalidOperationException(
                $"The split of {options.Templates} templates left the training pool with {trainTemplates.Count} and the test pool with {testTemplates.Count}; use more templates.");
        var run = new RunContext(options, tokenizer, LetterIds(tokenizer, task), progress, cancellationToken);
        string root = options.OutputDirectory ?? Path.Combine(Path.GetTempPath(), "paft-demo-" + Guid.NewGuid().ToString("N"));
        return new Setup(tokenizer, task, splits, trainTemplates, testTemplates, run, root, Path.Combine(root, "base"));
    }

    private static PromptPoolSplit Pools(DemoOptions options) =>
        new OfflineTemplateGenerator(DemoTask.Definition).GeneratePool(options.Templates, options.Seed).Split(options.TestTemplateFraction, options.Seed);

    /// <summary>Pretrains the base into <c>base/</c>, or copies the given one there.</summary>
    private static (IReadOnlyList<double> Losses, long Tokens, long Parameters) BaseModel(Setup setup) =>
        setup.Run.Options.BaseModelDirectory is string given
            ? UseGivenBase(given, setup.BaseDir, setup.Tokenizer)
            : Pretrain(setup.Run, setup.BaseDir);

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

    private static (IReadOnlyList<double> Losses, long Tokens, long Parameters) Pretrain(RunContext run, string baseDir)
    {
        DemoOptions o = run.Options;
        var documents = DemoCorpus.Documents(o.PretrainDocuments, DemoTask.SplitSeed(o.Seed, 3), o.ListDocumentShare, o.StoryFacts)
            .Select(d => new TrainingExample(run.Tokenizer.Encode(d.Lead, addBos: true), [.. run.Tokenizer.Encode(d.Body), run.Tokenizer.EosId]))
            .ToList();
        using var model = new LlamaForCausalLM(ModelConfig(o, run.Tokenizer));
        model.InitializeWeights((ulong)o.Seed);
        long tokens = 0;
        IReadOnlyList<double> losses = DemoPretrainer.Train(model, documents, o.PretrainSteps, o.PretrainBatchSize, o.PretrainLearningRate, o.Seed,
            (step, loss, stepTokens) =>
            {
                tokens += stepTokens;
                run.Progress?.Report(new DemoProgress("pretrain", step, o.PretrainSteps, loss, $"pretrain step {step}/{o.PretrainSteps} loss {loss:F3}"));
            },
            run.CancellationToken);
        DemoModelFiles.WriteModel(baseDir, model, run.Tokenizer);
        return (losses, tokens, model.parameters().Sum(p => p.numel()));
    }

    /// <summary>
    /// Takes a base model made earlier by this recipe instead of pretraining one: its tokenizer must be the
    /// demo's vocabulary. It is copied to <paramref name="baseDir"/>.
    /// </summary>
    private static (IReadOnlyList<double> Losses, long Tokens, long Parameters) UseGivenBase(string given, string baseDir, WordLevelTokenizer tokenizer)
    {
        string tokenizerPath = Path.Combine(given, WordLevelTokenizer.FileName);
        WordLevelTokenizer theirs = WordLevelTokenizer.Load(tokenizerPath);
        if (!theirs.Words.SequenceEqual(tokenizer.Words, StringComparer.Ordinal))
            throw new InvalidDataException($"'{tokenizerPath}' is not the demo's vocabulary; the base model must come from the demo recipe.");
        Directory.CreateDirectory(baseDir);
        foreach (string file in new[] { DemoModelFiles.ConfigFile, DemoModelFiles.WeightsFile, WordLevelTokenizer.FileName })
            File.Copy(Path.Combine(given, file), Path.Combine(baseDir, file), overwrite: true);
        using LlamaForCausalLM model = LlamaForCausalLM.FromPretrained(baseDir);
        return ([], 0, model.parameters().Sum(p => p.numel()));
    }

    private static Func<int, IReadOnlyList<TrainingExample>> SingleTemplate(RunContext run, PromptTemplate template, IReadOnlyList<TaskExample> rows)
    {
        var examples = rows.Select(r => run.TrainingExample(template, r)).ToList();
        return _ => examples;
    }

    // redrawEverySteps is PAFT's K; null takes the options' (the studies pass their own).
    private static Func<int, IReadOnlyList<TrainingExample>> Redrawn(RunContext run, IReadOnlyList<PromptTemplate> pool, IReadOnlyList<TaskExample> rows,
        int? redrawEverySteps = null)
    {
        DemoOptions o = run.Options;
        int k = redrawEverySteps ?? o.RedrawEverySteps;
        return epoch =>
        {
            int[] templateOf = PaftTemplateAssignment(rows.Count, pool.Count, k, o.FineTuneBatchSize, o.Seed, epoch);
            return rows.Select((row, i) => run.TrainingExample(pool[templateOf[i]], row)).ToList();
        };
    }

    /// <summary>
    /// PAFT's draw for one epoch: the template index of every row. The rows the trainer visits in steps
    /// [gK, gK+K) share one template, drawn from the pool for (seed, epoch, g). The trainer visits rows in
    /// its seeded epoch shuffle, so it is positions in that order that are grouped, not row numbers.
    /// </summary>
    internal static int[] PaftTemplateAssignment(int rows, int poolSize, int redrawEverySteps, int batchSize, int seed, int epoch)
    {
        var sampler = new TemplateSampler(poolSize, redrawEverySteps * batchSize, seed, weights: null);
        int[] order = EpochShuffle.Order(rows, seed, epoch);
        var templateOf = new int[rows];
        for (int position = 0; position < rows; position++)
            templateOf[order[position]] = sampler.TemplateIndex(epoch, position);
        return templateOf;
    }

    private static int[] LetterIds(WordLevelTokenizer tokenizer, TaskDefinition task) =>
        task.AnswerLabels.Select(label =>
        {
            // After a cue such as "Answer:" the letter follows a space, as one word token.
            IReadOnlyList<int> ids = tokenizer.Encode(" " + label);
            return ids.Count == 1
                ? ids[0]
                : throw new InvalidOperationException($"Answer label '{label}' is not one token of the demo vocabulary.");
        }).ToArray();

    private static double Lap(Stopwatch clock)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }
}
