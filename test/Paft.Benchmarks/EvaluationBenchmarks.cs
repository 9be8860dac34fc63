using BenchmarkDotNet.Attributes;
using Paft.Llama.Modeling;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// Multiple-choice evaluation of T = 2 templates × N = 2 HellaSwag-shaped examples (a prompt of about
/// 150 tokens holding the context and the four lettered options, each option about 20 tokens), scored
/// by option log-likelihood two ways, per (template, example). Kept small because the naive path is
/// slow on a shared 2-core machine; the 4 prompts fit in one batch of the scorer (16 prompts).
/// <list type="bullet">
/// <item><c>Batched</c> (the baseline): <c>MultipleChoiceScorer.Answer</c> in OptionText mode, the path
/// <c>mlContext.Paft().Evaluate</c> takes: every prompt's context runs once, the options continue it
/// from the KV cache, 16 prompts per batch.</item>
/// <item><c>Naive</c>: one full forward pass over context + option per (example, option), as a
/// loop over <c>model(prompt + option)</c> would do.</item>
/// <item><c>GenerationBatched</c>: the same prompts answered in <c>ScoringMode.Generation</c> (the paper's
/// Table 2 setting: greedy decoding of up to 16 tokens, then the letter extracted), the prompts decoded
/// together as one left-padded batch, as evaluation does.</item>
/// <item><c>GenerationOneAtATime</c>: the same, one prompt at a time (batch size 1).</item>
/// </list>
/// The Ratio column is time / the option-text batched time; the generation speed-up from batching is
/// GenerationOneAtATime / GenerationBatched of the same run. Setup checks that both option scorings give
/// the same probabilities and both generations the same texts.
/// Run: dotnet run -c Release --project test/Paft.Benchmarks -- --filter '*EvaluationBenchmarks*'
/// </summary>
[ShortInProcessJob]
public class EvaluationBenchmarks
{
    private const int Templates = 2;
    private const int Examples = 2;
    private const int Prompts = Templates * Examples;

    private LlamaForCausalLM _model = null!;
    private MultipleChoiceScorer _scorer = null!;
    private MultipleChoiceScorer _oneAtATime = null!;
    private string[] _prompts = null!;
    private IReadOnlyList<string>[] _options = null!;

    /// <summary>Which model: <c>stories260K</c> or <c>llama-20m</c> (see <see cref="BenchmarkModels.Names"/>).</summary>
    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = BenchmarkModels.Stories260K;

    /// <summary>The values of <see cref="Model"/>.</summary>
    public static IEnumerable<string> Models => BenchmarkModels.Names;

    /// <summary>Builds the prompts and checks that the two scorings agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(BenchmarkModels.Threads);
        _model = BenchmarkModels.Load(Model);
        _scorer = new MultipleChoiceScorer(_model, new WordTokenizer(_model.Config.VocabSize));
        _oneAtATime = new MultipleChoiceScorer(_model, new WordTokenizer(_model.Config.VocabSize), batchSize: 1);

        var random = new Random(11);
        string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => "w" + random.Next(5000)));
        var examples = Enumerable.Range(0, Examples).Select(_ => (Context: Words(60), Options: Enumerable.Range(0, 4).Select(_ => Words(20)).ToArray())).ToArray();
        string[] templates = Enumerable.Range(0, Templates).Select(t =>
            Words(10 + 4 * t) + " {ctx} A. {A} B. {B} C. {C} D. {D} " + Words(5) + " Answer:").ToArray();
        _prompts = templates.SelectMany(t => examples.Select(e => t
            .Replace("{ctx}", e.Context).Replace("{A}", e.Options[0]).Replace("{B}", e.Options[1])
            .Replace("{C}", e.Options[2]).Replace("{D}", e.Options[3]))).ToArray();
        _options = templates.SelectMany(_ => examples.Select(e => (IReadOnlyList<string>)e.Options)).ToArray();

        var batched = Batched();
        var naive = Naive();
        for (int i = 0; i < Prompts; i++)
            for (int k = 0; k < 4; k++)
                if (Math.Abs(batched[i].Probabilities[k] - naive[i][k]) > 1e-3)
                    throw new InvalidOperationException(
                        $"Prompt {i}, option {k}: batched probability {batched[i].Probabilities[k]} differs from naive {naive[i][k]}.");
        var generatedTogether = GenerationBatched();
        var generatedAlone = GenerationOneAtATime();
        for (int i = 0; i < Prompts; i++)
            if (generatedTogether[i].GeneratedText != generatedAlone[i].GeneratedText)
                throw new InvalidOperationException(
                    $"Prompt {i}: batched generation '{generatedTogether[i].GeneratedText}' differs from one at a time '{generatedAlone[i].GeneratedText}'.");
    }

    /// <summary>The evaluation path: contexts once, options as continuations, batched; per prompt.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Prompts)]
    public IReadOnlyList<MultipleChoiceAnswer> Batched() =>
        _scorer.Answer(_prompts, TaskDefinition.HellaSwag, ScoringMode.OptionText, _options);

    /// <summary>Generation mode, the prompts decoded as one batch; per prompt.</summary>
    [Benchmark(OperationsPerInvoke = Prompts)]
    public IReadOnlyList<MultipleChoiceAnswer> GenerationBatched() =>
        _scorer.Answer(_prompts, TaskDefinition.HellaSwag, ScoringMode.Generation);

    /// <summary>Generation mode, one prompt at a time; per prompt.</summary>
    [Benchmark(OperationsPerInvoke = Prompts)]
    public IReadOnlyList<MultipleChoiceAnswer> GenerationOneAtATime() =>
        _oneAtATime.Answer(_prompts, TaskDefinition.HellaSwag, ScoringMode.Generation);

    /// <summary>One full forward per (prompt, option); per prompt. Returns each prompt's option probabilities.</summary>
    [Benchmark(OperationsPerInvoke = Prompts)]
    public double[][] Naive()
    {
        using var noGrad = no_grad();
        var probabilities = new double[Prompts][];
        for (int i = 0; i < Prompts; i++)
        {
            var logLikelihoods = new double[_options[i].Count];
            for (int k = 0; k < logLikelihoods.Length; k++)
            {
                using var scope = NewDisposeScope();
                var (context, continuation) = _scorer.EncodePair(_prompts[i], _options[i][k]);
                long[] ids = context.Concat(continuation).Select(id => (long)id).ToArray();
                var input = tensor(ids, ScalarType.Int64).reshape(1, ids.Length);
                var logProbs = _model.forward(input).log_softmax(-1)[0];                      // [L, V]
                // Position p predicts token p + 1: the continuation's tokens follow the context's last position.
                var positions = arange(context.Count - 1, ids.Length - 1, dtype: ScalarType.Int64);
                var targets = tensor(continuation.Select(id => (long)id).ToArray(), ScalarType.Int64);
                logLikelihoods[k] = logProbs.index_select(0, positions).gather(1, targets.unsqueeze(1)).sum().to(ScalarType.Float64).item<double>();
            }
            double max = logLikelihoods.Max();
            double sum = logLikelihoods.Sum(v => Math.Exp(v - max));
            probabilities[i] = logLikelihoods.Select(v => Math.Exp(v - max) / sum).ToArray();
        }
        return probabilities;
    }

    /// <summary>Frees the model.</summary>
    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();
}
