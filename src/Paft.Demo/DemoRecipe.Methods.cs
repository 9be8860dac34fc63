using System.Diagnostics;
using Microsoft.ML;
using Paft.MLNet;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;

namespace Paft.Demo;

// The methods of the comparison and the studies, each a client of mlContext.Paft(): trained with the catalog's
// trainers, evaluated with its evaluator, saved with PaftTransformer.Save.
public static partial class DemoRecipe
{
    /// <summary>What every method of one run shares, and the stages they go through.</summary>
    private sealed class MethodRunner
    {
        private readonly MLContext _mlContext;
        private readonly DemoOptions _options;
        private readonly DemoBase _base;
        private readonly string _root;
        private readonly IReadOnlyList<PromptTemplate> _adversarial;
        private readonly IProgress<DemoProgress>? _progress;
        private readonly CancellationToken _cancellationToken;
        private readonly IDataView _train, _validation, _test;

        public MethodRunner(DemoOptions options, DemoBase setup, string root, IReadOnlyList<PromptTemplate> adversarial,
            IProgress<DemoProgress>? progress, CancellationToken cancellationToken)
        {
            _mlContext = new MLContext(options.Seed);
            _options = options;
            _base = setup;
            _root = root;
            _adversarial = adversarial;
            _progress = progress;
            _cancellationToken = cancellationToken;
            _train = setup.Splits.Train.ToDataView(setup.Task);
            _validation = setup.Splits.Validation.ToDataView(setup.Task);
            _test = setup.Splits.Test.ToDataView(setup.Task);
        }

        /// <summary>The base model, untuned (<c>Trainers.BaseModel</c>, whose <c>Fit</c> trains nothing).</summary>
        public DemoMethodResult Base()
        {
            PaftTransformer model = _mlContext.Paft().Trainers.BaseModel(Options(_base.TrainTemplates, _options.RedrawEverySteps, _options.FineTuneEpochs, null))
                .Fit(_train);
            return Result("base", model, [], [], 0, 0, null, _options.OutputDirectory is null ? null : _base.Directory);
        }

        /// <summary>Single-template SFT: <c>sft</c> on the pool's first template, or on the template TopAccuracy, ZOPO or BATprompt chose.</summary>
        public DemoMethodResult SingleTemplate(string name)
        {
            var losses = new List<double>();
            PaftTrainerOptions options = Options(_base.TrainTemplates, _options.RedrawEverySteps, _options.FineTuneEpochs, Losses(name, losses));
            PaftTrainersCatalog trainers = _mlContext.Paft().Trainers;
            var clock = Stopwatch.StartNew();
            _progress?.Report(new DemoProgress(name, 0, 1, double.NaN, $"{name}: choosing the training template"));
            // The selection trainers choose their template in Fit, and say what they chose on the model's training info.
            PaftTransformer model = name switch
            {
                // The generator's seeded draw already puts the pool in random order: its first template is SFT's.
                "sft" => trainers.SupervisedFineTuning(options, _base.TrainTemplates[0]).Fit(_train, _cancellationToken),
                "sft-top" => trainers.TopAccuracyFineTuning(new TemplateSelectionTrainerOptions { Trainer = options, SelectionData = _validation })
                    .Fit(_train, _cancellationToken),
                "zopo" => trainers.ZopoFineTuning(new ZopoTrainerOptions
                {
                    Trainer = options,
                    SelectionData = _validation,
                    Search = new ZopoOptions { Budget = Math.Min(_options.ZopoBudget, options.TrainingTemplates.Count), Seed = _options.Seed },
                }).Fit(_train, _cancellationToken),
                "batprompt" => trainers.BatpromptFineTuning(new BatpromptTrainerOptions
                {
                    Trainer = options,
                    SelectionData = _validation,
                    Selection = new BatpromptOptions { Seed = _options.Seed },
                }).Fit(_train, _cancellationToken),
                _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a single-template method of the demo."),
            };
            double totalSeconds = clock.Elapsed.TotalSeconds;
            TemplateSelection? chosen = model.TrainingInfo!.Selection;
            double selectionSeconds = chosen?.Duration.TotalSeconds ?? 0;
            string? selection = chosen is null ? null : Describe(chosen, options.TrainingTemplates.Count);
            return Result(name, model, [model.InferenceTemplate], losses, selectionSeconds, totalSeconds - selectionSeconds, selection, Save(name, model));
        }

        /// <summary>PAFT (<c>PromptAgnosticFineTuning</c>) on <paramref name="pool"/>, redrawing every <paramref name="k"/> steps.</summary>
        public DemoMethodResult Paft(string name, IReadOnlyList<PromptTemplate> pool, int k, int epochs)
        {
            var losses = new List<double>();
            PaftTrainerOptions options = Options(pool, k, epochs, Losses(name, losses));
            var clock = Stopwatch.StartNew();
            PaftTransformer model = _mlContext.Paft().Trainers.PromptAgnosticFineTuning(options).Fit(_train, _cancellationToken);
            return Result(name, model, pool, losses, 0, clock.Elapsed.TotalSeconds, null, Save(name, model));
        }

        private PaftTrainerOptions Options(IReadOnlyList<PromptTemplate> pool, int k, int epochs, IProgress<PaftProgress>? progress)
        {
            PaftTrainerOptions options = TrainerOptions(_options, _base);
            options.TrainingTemplates = pool;
            options.RedrawEverySteps = k;
            options.Epochs = epochs;
            options.Progress = progress;
            return options;
        }

        /// <summary>What a selection trainer chose, as the demo's report says it.</summary>
        private string Describe(TemplateSelection chosen, int poolSize) => chosen.Method switch
        {
            TemplateSelectionMethod.TopAccuracy =>
                $"best of {poolSize} training templates on {_base.Splits.Validation.Count} validation examples ({chosen.Accuracy:P1})",
            TemplateSelectionMethod.Zopo =>
                $"GP search over hidden-state embeddings: {chosen.TemplatesScored} of {poolSize} templates evaluated ({chosen.Accuracy:P1})",
            _ => $"least drop under input noise of {poolSize} training templates " +
                 $"(clean {chosen.Batprompt!.Score.CleanAccuracy:P1}, noisy {chosen.Batprompt.Score.PerturbedAccuracy:P1})",
        };

        /// <summary>Collects every step's loss and reports it as the method's progress.</summary>
        private IProgress<PaftProgress> Losses(string name, List<double> losses) => new InlineProgress<PaftProgress>(p =>
        {
            // The trainer reports every step, and again at the end of an epoch (the same step): one loss a step.
            if (p.Step <= losses.Count)
                return;
            losses.Add(p.Loss);
            _progress?.Report(new DemoProgress(name, p.Step, p.TotalSteps, p.Loss, $"{name} step {p.Step}/{p.TotalSteps} loss {p.Loss:F3}"));
        });

        private string? Save(string name, PaftTransformer model)
        {
            if (_options.OutputDirectory is null)
                return null;
            string folder = Path.Combine(_root, name);
            model.Save(folder);
            return folder;
        }

        /// <summary>A model's results: clean and adversarial robustness, own-template accuracy, generation-mode timing.</summary>
        private DemoMethodResult Result(string name, PaftTransformer model, IReadOnlyList<PromptTemplate> trainedOn, IReadOnlyList<double> losses,
            double selectionSeconds, double trainingSeconds, string? selection, string? folder)
        {
            double? own = trainedOn.Count == 1 ? Evaluate(model, [trainedOn[0]], name + " own template").MeanAccuracy : null;
            PromptRobustnessMetrics clean = Evaluate(model, _base.TestTemplates, name);
            PromptRobustnessMetrics? adversarial = _adversarial.Count == 0 ? null : Evaluate(model, _adversarial, name + " adversarial");
            DemoGeneration? generation = _adversarial.Count == 0 ? null : Generate(model, name + " generate");
            return new DemoMethodResult(name, trainedOn.Select(t => t.Id).ToList(), clean, adversarial, own, losses, folder,
                new DemoMethodTiming(selectionSeconds, trainingSeconds, generation), selection);
        }

        private PromptRobustnessMetrics Evaluate(PaftTransformer model, IReadOnlyList<PromptTemplate> templates, string stage) =>
            _mlContext.Paft().Evaluate(model, _test, templates,
                progress: new InlineProgress<(int Done, int Total)>(p =>
                    _progress?.Report(new DemoProgress(stage, p.Done, p.Total, double.NaN, $"{stage}: template {p.Done}/{p.Total}"))),
                cancellationToken: _cancellationToken);

        /// <summary>
        /// Generation mode (the paper's Table 2) through the transformer's <see cref="ScoringMode.Generation"/>: test
        /// rows answered greedily until EOS or the token limit under the first few test templates, timed after an
        /// untimed warm-up (the first call pays one-time costs the others do not). Null when it is switched off.
        /// </summary>
        private DemoGeneration? Generate(PaftTransformer model, string stage)
        {
            int count = _options.GenerationPrompts;
            if (count == 0)
                return null;
            PaftTransformer generating = model.WithScoring(ScoringMode.Generation);
            int templateCount = Math.Min(4, _base.TestTemplates.Count);
            int rowCount = Math.Max(1, Math.Min(_base.Splits.Test.Count, (count + templateCount - 1) / templateCount));
            IDataView rows = _base.Splits.Test.Take(rowCount).ToDataView(_base.Task);
            PromptTemplate[] templates = _base.TestTemplates.Take(templateCount).ToArray();
            _mlContext.Paft().Evaluate(generating, _base.Splits.Test.Take(1).ToDataView(_base.Task), templates.Take(1), cancellationToken: _cancellationToken);
            var clock = Stopwatch.StartNew();
            PromptRobustnessMetrics metrics = _mlContext.Paft().Evaluate(generating, rows, templates, cancellationToken: _cancellationToken);
            double seconds = clock.Elapsed.TotalSeconds;
            double tokens = metrics.Templates.Average(t => t.MeanGeneratedTokens ?? 0);
            int prompts = rowCount * templates.Length;
            _progress?.Report(new DemoProgress(stage, prompts, prompts, double.NaN, $"{stage}: generated {tokens:F1} tokens a prompt for {prompts} prompts"));
            return new DemoGeneration(prompts, seconds, tokens, metrics.MeanAccuracy);
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> that runs its handler at once, on the reporting thread.</summary>
    private sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
