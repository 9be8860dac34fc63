using System.Diagnostics;
using Paft.Llama.Inference;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.Llama.Training;
using Paft.MLNet.Augmentation;
using Paft.MLNet.Perturbation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
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
public static class DemoRecipe
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

    /// <summary>What every stage of one run shares.</summary>
    private sealed class RunContext(DemoOptions options, WordLevelTokenizer tokenizer, int[] letterIds,
        IProgress<DemoProgress>? progress, CancellationToken cancellationToken)
    {
        public DemoOptions Options { get; } = options;
        public WordLevelTokenizer Tokenizer { get; } = tokenizer;
        public IProgress<DemoProgress>? Progress { get; } = progress;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        /// <summary>The adversarial test set every model is also scored on; empty skips it (the sweep).</summary>
        public IReadOnlyList<PromptTemplate> AdversarialTemplates { get; set; } = [];

        /// <summary>Whether every model's generation-mode inference is timed (the comparison, not the sweep).</summary>
        public bool MeasureGeneration { get; set; }

        /// <summary>The rendered prompt, then the answer and end-of-sequence: a fine-tuned model answers and stops, as the paper's do.</summary>
        public TrainingExample TrainingExample(PromptTemplate template, TaskExample row) =>
            new(Tokenizer.Encode(template.Render(row.Fields), addBos: true), [AnswerIds(row)[row.Label], Tokenizer.EosId]);

        /// <summary>The one-token answer of each option, in option order: its letter, or its own word.</summary>
        public IReadOnlyList<int> AnswerIds(TaskExample row) => Options.AnswerForm == DemoAnswerForm.Letter
            ? letterIds
            : DemoTask.Definition.OptionFields.Select(f => Tokenizer.Encode(" " + row.Fields[f].Split(' ')[1])[0]).ToArray();

        /// <summary>Accuracy on <paramref name="rows"/> under each template, in template order.</summary>
        public IReadOnlyList<KeyValuePair<string, double>> Accuracies(LlamaForCausalLM model, IReadOnlyList<PromptTemplate> templates,
            IReadOnlyList<TaskExample> rows, string stage)
        {
            var result = new List<KeyValuePair<string, double>>(templates.Count);
            for (int t = 0; t < templates.Count; t++)
            {
                CancellationToken.ThrowIfCancellationRequested();
                result.Add(new(templates[t].Id, Accuracy(model, templates[t], rows)));
                Progress?.Report(new DemoProgress(stage, t + 1, templates.Count, double.NaN, $"{stage}: template {t + 1}/{templates.Count} accuracy {result[^1].Value:P1}"));
            }
            return result;
        }

        public double Accuracy(LlamaForCausalLM model, PromptTemplate template, IReadOnlyList<TaskExample> rows)
        {
            int[] predicted = Predict(model, template, rows, rows);
            return (double)predicted.Where((p, i) => p == rows[i].Label).Count() / rows.Count;
        }

        /// <summary>
        /// The chosen option of each row under <paramref name="template"/>; the candidates of row i are the
        /// answers of <paramref name="answersFrom"/>[i] (the clean row, when the prompt's row is perturbed).
        /// </summary>
        public int[] Predict(LlamaForCausalLM model, PromptTemplate template, IReadOnlyList<TaskExample> rows, IReadOnlyList<TaskExample> answersFrom)
        {
            var prompts = rows.Select(r => Tokenizer.Encode(template.Render(r.Fields), addBos: true)).ToList();
            return LetterScorer.Predict(model, prompts, i => AnswerIds(answersFrom[i]), WordLevelTokenizer.PadId, Options.EvaluationBatchSize);
        }

        /// <summary>TopAccuracy: the training template the base model answers best on the validation examples.</summary>
        public TemplateChoice SelectTopAccuracy(LlamaForCausalLM baseModel, IReadOnlyList<PromptTemplate> pool, IReadOnlyList<TaskExample> validation)
        {
            var clock = Stopwatch.StartNew();
            var accuracies = Accuracies(baseModel, pool, validation, "select top-accuracy");
            KeyValuePair<string, double> best = accuracies.OrderByDescending(a => a.Value).ThenBy(a => a.Key, StringComparer.Ordinal).First();
            return new TemplateChoice(pool.First(t => t.Id == best.Key), clock.Elapsed.TotalSeconds,
                $"best of {pool.Count} training templates on {validation.Count} validation examples ({best.Value:P1})");
        }

        /// <summary>ZOPO: Gaussian-process local search over the base model's embeddings of the templates, within a budget.</summary>
        public TemplateChoice SelectZopo(LlamaForCausalLM baseModel, IReadOnlyList<PromptTemplate> pool, IReadOnlyList<TaskExample> validation)
        {
            var clock = Stopwatch.StartNew();
            var selector = new ZopoTemplateSelector(new ZopoOptions { Budget = Math.Min(Options.ZopoBudget, pool.Count), Seed = Options.Seed },
                new HiddenStateEmbedder(baseModel, Tokenizer));
            int evaluated = 0;
            ZopoResult result = selector.Select(PromptPool.FromTemplates(pool), template =>
            {
                CancellationToken.ThrowIfCancellationRequested();
                double accuracy = Accuracy(baseModel, template, validation);
                Progress?.Report(new DemoProgress("select zopo", ++evaluated, Options.ZopoBudget, double.NaN,
                    $"select zopo: template {evaluated} accuracy {accuracy:P1}"));
                return accuracy;
            });
            return new TemplateChoice(result.Best, clock.Elapsed.TotalSeconds,
                $"GP search over hidden-state embeddings: {result.Trace.Count} of {pool.Count} templates evaluated ({result.BestAccuracy:P1})");
        }

        /// <summary>BATprompt, offline: the template whose validation accuracy drops least under input noise.</summary>
        public TemplateChoice SelectRobust(LlamaForCausalLM baseModel, IReadOnlyList<PromptTemplate> pool, IReadOnlyList<TaskExample> validation)
        {
            var clock = Stopwatch.StartNew();
            // Noise may misspell an option's own word; the answer to look for is still the clean row's.
            Dictionary<string, TaskExample> clean = validation.ToDictionary(r => r.Source, StringComparer.Ordinal);
            int scored = 0;
            var selector = new RobustPromptSelector((template, rows) =>
            {
                CancellationToken.ThrowIfCancellationRequested();
                if (rows.Count != validation.Count)
                    Progress?.Report(new DemoProgress("select batprompt", ++scored, pool.Count, double.NaN, $"select batprompt: template {scored}/{pool.Count}"));
                return Predict(baseModel, template, rows, rows.Select(r => clean[r.Source]).ToList());
            }, new RobustPromptOptions { Seed = Options.Seed });
            RobustPromptResult result = selector.SelectAsync(PromptPool.FromTemplates(pool), DemoTask.Definition, validation, CancellationToken)
                .GetAwaiter().GetResult();
            return new TemplateChoice(result.Best, clock.Elapsed.TotalSeconds,
                $"least drop under input noise of {pool.Count} training templates (clean {result.Score.CleanAccuracy:P1}, noisy {result.Score.PerturbedAccuracy:P1})");
        }

        /// <summary>
        /// Generation mode (the paper's Table 2): test prompts answered greedily one at a time until EOS or the
        /// token limit, the test templates taken in turn.
        /// </summary>
        public DemoGeneration? Generate(LlamaForCausalLM model, IReadOnlyList<PromptTemplate> templates, IReadOnlyList<TaskExample> rows, string stage)
        {
            if (!MeasureGeneration)
                return null;
            var generator = new LlamaGenerator(model);
            var settings = new GenerationOptions { MaxNewTokens = Options.GenerationMaxNewTokens, StopTokenIds = [Tokenizer.EosId] };
            int count = Options.GenerationPrompts;
            var prompts = new List<IReadOnlyList<int>>(count);
            for (int p = 0; p < count; p++)
                prompts.Add(Tokenizer.Encode(templates[p % templates.Count].Render(rows[p % rows.Count].Fields), addBos: true));
            long tokens = 0;
            int correct = 0;
            generator.Generate(prompts[0], settings); // untimed warm-up: the first call pays one-time costs the others do not
            var clock = Stopwatch.StartNew();
            for (int p = 0; p < count; p++)
            {
                CancellationToken.ThrowIfCancellationRequested();
                IReadOnlyList<int> generated = generator.Generate(prompts[p], settings);
                tokens += generated.Count;
                TaskExample row = rows[p % rows.Count];
                if (generated.Count > 0 && generated[0] == AnswerIds(row)[row.Label])
                    correct++;
            }
            double seconds = clock.Elapsed.TotalSeconds;
            Progress?.Report(new DemoProgress(stage, count, count, double.NaN, $"{stage}: generated {tokens} tokens for {count} prompts"));
            return new DemoGeneration(count, seconds, (double)tokens / count, (double)correct / count);
        }

        /// <summary>A model's results: clean and adversarial test accuracies, generation-mode timing.</summary>
        public DemoMethodResult Result(string name, LlamaForCausalLM model, IReadOnlyList<PromptTemplate> trainedOn, IReadOnlyList<PromptTemplate> testTemplates,
            IReadOnlyList<TaskExample> test, IReadOnlyList<double> losses, double selectionSeconds, double trainingSeconds, string? selection, string? folder)
        {
            double? own = trainedOn.Count == 1 ? Accuracy(model, trainedOn[0], test) : null;
            var accuracies = Accuracies(model, testTemplates, test, name);
            var adversarial = Accuracies(model, AdversarialTemplates, test, name + " adversarial");
            DemoGeneration? generation = Generate(model, testTemplates, test, name + " generate");
            return new DemoMethodResult(name, trainedOn.Select(t => t.Id).ToList(), accuracies, own, losses, folder, adversarial,
                new DemoMethodTiming(selectionSeconds, trainingSeconds, generation), selection);
        }

        /// <summary>
        /// The skill in the plain form pretraining taught: after "Where is the key? The key is in the",
        /// does the model give the right container's colour a higher probability than the other three?
        /// </summary>
        public double PlainAccuracy(LlamaForCausalLM model, IReadOnlyList<TaskExample> rows)
        {
            var prompts = rows.Select(r => Tokenizer.Encode(DemoCorpus.PlainQuestion(r.Fields["context"], r.Fields["question"]), addBos: true)).ToList();
            var candidates = rows.Select(r => DemoTask.Definition.OptionFields
                .Select(f => Tokenizer.Encode(" " + r.Fields[f].Split(' ')[1])[0]).ToArray()).ToList();
            int[] predicted = LetterScorer.Predict(model, prompts, i => candidates[i], WordLevelTokenizer.PadId, Options.EvaluationBatchSize);
            return (double)predicted.Where((p, i) => p == rows[i].Label).Count() / rows.Count;
        }

        public DemoMethodResult FineTune(string name, string baseDir, string root, IReadOnlyList<PromptTemplate> templates, DemoSplits splits,
            IReadOnlyList<PromptTemplate> testTemplates, Func<int, IReadOnlyList<TrainingExample>> examplesForEpoch, int? epochs = null,
            TemplateChoice? choice = null)
        {
            DemoOptions o = Options;
            using LlamaForCausalLM model = LlamaForCausalLM.FromPretrained(baseDir);
            var clock = Stopwatch.StartNew();
            LoraAdapterSet lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = o.LoraRank, Alpha = o.LoraAlpha, TargetModules = o.LoraTargets }, o.Seed);
            var trainer = new LoraTrainer(lora, (ids, mask) => model.forward(ids, mask), new TrainingOptions
            {
                Epochs = epochs ?? o.FineTuneEpochs, // the studies vary it; everything else trains the options' epochs
                BatchSize = o.FineTuneBatchSize,
                LearningRate = o.FineTuneLearningRate,
                WarmupRatio = 0.1,
                MaxLength = 512,
                PadTokenId = WordLevelTokenizer.PadId,
                Seed = o.Seed,
            });
            var losses = new List<double>();
            trainer.Train(examplesForEpoch, new InlineProgress<TrainingProgress>(p =>
            {
                if (p.Kind != TrainingProgressKind.Step)
                    return;
                losses.Add(p.Loss);
                Progress?.Report(new DemoProgress(name, p.Step, p.TotalSteps, p.Loss, $"{name} step {p.Step}/{p.TotalSteps} loss {p.Loss:F3}"));
            }), CancellationToken);
            double trainingSeconds = clock.Elapsed.TotalSeconds;

            string? folder = o.OutputDirectory is null ? null : Path.Combine(root, name);
            if (folder is not null)
                DemoModelFiles.WriteAdapter(Path.Combine(folder, "adapter"), lora, Path.GetFullPath(baseDir));
            // Merged before it is scored, so that every model answers at the base model's cost per token.
            lora.Merge();
            if (folder is not null)
                DemoModelFiles.WriteModel(folder, model, Tokenizer);
            return Result(name, model, templates, testTemplates, splits.Test, losses, choice?.Seconds ?? 0, trainingSeconds, choice?.Description, folder);
        }
    }

    /// <summary>A training template chosen for single-template SFT, what choosing it cost, and how it was chosen.</summary>
    private sealed record TemplateChoice(PromptTemplate Template, double Seconds, string? Description);

    /// <summary>An <see cref="IProgress{T}"/> that runs its handler at once, on the reporting thread.</summary>
    private sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
