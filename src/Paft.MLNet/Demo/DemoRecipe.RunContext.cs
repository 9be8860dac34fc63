using System.Diagnostics;
using Paft.Llama.Inference;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.Llama.Training;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Demo;

// The state one demo run or sweep shares, and the stages that use it: scoring, template selection, fine-tuning, generation.
public static partial class DemoRecipe
{
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
