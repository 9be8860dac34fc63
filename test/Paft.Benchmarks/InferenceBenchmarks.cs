using BenchmarkDotNet.Attributes;
using Paft.Llama.Inference;
using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// Prefill and decode speed of the LLaMA forward pass at sequence 256, per token, with the model's
/// FLOP/s as a fraction of a plain fp32 matmul's FLOP/s measured in the same run (columns GFLOP/s and
/// OfMatmul). Model FLOPs per token: 2 × the weights of every linear layer (lm_head included, the
/// embedding lookup not) + attention (QKᵀ and AV: 4 × attended positions × heads × head_dim per layer).
/// Prefill: one forward over 256 tokens. Decode: 64 greedy steps with the KV cache after a 192-token
/// prompt (context 193 to 256), from a copy of a cache prefilled once in setup, so the prompt's prefill
/// is not timed (the copy is, once per 64 tokens: one index_select per cache tensor).
/// Matmul references: 1024 × 1024 × 1024 (the denominator), [256, 384] × [384, 1024] (the 20M config's
/// MLP shape), and the model's linear multiply-adds as one [256, hidden] × [hidden, N] matmul and as one
/// vector-matrix product (what a decode step would cost at the memory-bound matvec rate).
/// Run: dotnet run -c Release --project test/Paft.Benchmarks -- --filter '*InferenceBenchmarks*'
/// </summary>
[ShortInProcessJob]
public class InferenceBenchmarks
{
    private const int SequenceLength = 256;
    private const int DecodePrompt = 192;
    private const int DecodeTokens = SequenceLength - DecodePrompt;

    private LlamaForCausalLM _model = null!;
    private Tensor _sequence = null!;
    private KvCache _promptCache = null!;
    private long _firstDecodeToken;
    private Tensor _square = null!;
    private Tensor _mlpActivations = null!;
    private Tensor _mlpWeight = null!;
    private Tensor _prefillActivations = null!;
    private Tensor _decodeActivations = null!;
    private Tensor _equivalentWeights = null!;

    /// <summary>Which model: <c>stories260K</c> or <c>llama-20m</c> (see <see cref="BenchmarkModels.Names"/>).</summary>
    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = BenchmarkModels.Stories260K;

    /// <summary>The values of <see cref="Model"/>.</summary>
    public static IEnumerable<string> Models => BenchmarkModels.Names;

    /// <summary>Loads the model, builds the inputs and records every case's FLOPs per operation.</summary>
    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(BenchmarkModels.Threads);
        _model = BenchmarkModels.Load(Model);
        var c = _model.Config;
        long linear = BenchmarkModels.LinearWeights(_model);
        long n = linear / c.HiddenSize;

        var generator = new Generator(1);
        _sequence = randint(3, c.VocabSize, [1, SequenceLength], dtype: ScalarType.Int64, generator: generator);
        _square = randn([1024, 1024], generator: generator);
        _mlpActivations = randn([256, 384], generator: generator);
        _mlpWeight = randn([384, 1024], generator: generator);
        _prefillActivations = randn([SequenceLength, c.HiddenSize], generator: generator);
        _decodeActivations = randn([1, c.HiddenSize], generator: generator);
        _equivalentWeights = randn([c.HiddenSize, n], generator: generator);

        using (no_grad())
        {
            _promptCache = new KvCache();
            using var prompt = _sequence.narrow(1, 0, DecodePrompt);
            using var logits = _model.forward(prompt, null, _promptCache);
            _firstDecodeToken = logits[0, -1].argmax().item<long>();
        }

        // Decode step i attends to DecodePrompt + i + 1 positions.
        double decodeAttention = 4.0 * (DecodePrompt + (DecodeTokens + 1) / 2.0) * c.NumAttentionHeads * c.HeadDim * c.NumHiddenLayers;
        WorkloadFlops.Record(nameof(Prefill), 2.0 * linear + BenchmarkModels.AttentionFlopsPerToken(_model, SequenceLength), Model);
        WorkloadFlops.Record(nameof(Decode), 2.0 * linear + decodeAttention, Model);
        WorkloadFlops.Record(nameof(Matmul1024), 2.0 * 1024 * 1024 * 1024, Model);
        WorkloadFlops.Record(nameof(Matmul256x384x1024), 2.0 * 256 * 384 * 1024, Model);
        WorkloadFlops.Record(nameof(MatmulPrefillEquivalent), 2.0 * linear, Model);
        WorkloadFlops.Record(nameof(MatvecDecodeEquivalent), 2.0 * linear, Model);
    }

    /// <summary>256 tokens in one forward pass (logits of every position), per token.</summary>
    [Benchmark(OperationsPerInvoke = SequenceLength)]
    public void Prefill()
    {
        using var noGrad = no_grad();
        using var logits = _model.forward(_sequence);
    }

    /// <summary>64 greedy decode steps with the KV cache after a 192-token prompt, per token.</summary>
    [Benchmark(OperationsPerInvoke = DecodeTokens)]
    public long Decode()
    {
        using var noGrad = no_grad();
        using var cache = _promptCache.SelectRows([0]);
        long token = _firstDecodeToken;
        for (int i = 0; i < DecodeTokens; i++)
        {
            using var scope = NewDisposeScope();
            var input = tensor(new[] { token }, ScalarType.Int64).reshape(1, 1);
            var logits = _model.forward(input, null, cache);
            token = logits[0, -1].argmax().item<long>();
        }
        return token;
    }

    /// <summary>The reference rate: a 1024 × 1024 × 1024 fp32 matmul.</summary>
    [Benchmark]
    public void Matmul1024()
    {
        using var y = _square.matmul(_square);
    }

    /// <summary>A [256, 384] × [384, 1024] fp32 matmul (the 20M config's MLP up-projection at sequence 256).</summary>
    [Benchmark]
    public void Matmul256x384x1024()
    {
        using var y = _mlpActivations.matmul(_mlpWeight);
    }

    /// <summary>The model's linear multiply-adds for 256 tokens as one matmul, per token.</summary>
    [Benchmark(OperationsPerInvoke = SequenceLength)]
    public void MatmulPrefillEquivalent()
    {
        using var y = _prefillActivations.matmul(_equivalentWeights);
    }

    /// <summary>The model's linear multiply-adds for one token as one vector-matrix product.</summary>
    [Benchmark]
    public void MatvecDecodeEquivalent()
    {
        using var y = _decodeActivations.matmul(_equivalentWeights);
    }

    /// <summary>Frees the model and tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _promptCache.Dispose();
        foreach (var t in new[] { _sequence, _square, _mlpActivations, _mlpWeight, _prefillActivations, _decodeActivations, _equivalentWeights })
            t.Dispose();
    }
}
