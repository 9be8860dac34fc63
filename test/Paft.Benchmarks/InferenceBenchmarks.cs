using BenchmarkDotNet.Attributes;
using Paft.Llama.Inference;
using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// Prefill and decode speed of the LLaMA forward pass, each next to a plain matmul doing the same
/// number of multiply-adds as the model's linear layers (prefill: [T, hidden] × [hidden, N];
/// decode: [1, hidden] × [hidden, N], with N·hidden = the weights of every linear layer, lm_head included).
/// Matmul time / model time is the model's speed as a fraction of the matmul rate measured in the
/// same run. Per-token times: each benchmark reports time per token (OperationsPerInvoke).
/// Models: stories260K from ../shared (Karpathy's TinyStories weights) and ../shared/bench/llama-20m.json
/// with random weights (seed 0).
/// Run: dotnet run -c Release --project test/Paft.Benchmarks -- --filter '*InferenceBenchmarks*'
/// </summary>
// In-process: BenchmarkDotNet's generated child project does not carry libtorch-cpu-linux-x64 (nor the
// native-load fix), so TorchSharp fails to initialise there ("doesn't contain a reference to libtorch-cpu").
[InProcess]
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private const int PrefillTokens = 128;
    private const int DecodeTokens = 64;

    private LlamaForCausalLM _model = null!;
    private Tensor _prompt = null!;
    private Tensor _prefillActivations = null!;
    private Tensor _decodeActivations = null!;
    private Tensor _equivalentWeights = null!;

    /// <summary>Which model: <c>stories260K</c> or <c>llama-20m</c>.</summary>
    [Params("stories260K", "llama-20m")]
    public string Model { get; set; } = "stories260K";

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Environment.ProcessorCount);
        string shared = SharedFolder();
        if (Model == "stories260K")
        {
            _model = LlamaForCausalLM.FromPretrained(Path.Combine(shared, "fixtures", "llama", "stories260K"));
        }
        else
        {
            var config = LlamaConfig.FromFile(Path.Combine(shared, "bench", "llama-20m.json"));
            _model = new LlamaForCausalLM(config);
            _model.InitializeWeights(seed: 0);
            _model.eval();
        }

        var c = _model.Config;
        long linearWeights = _model.named_parameters()
            .Where(p => p.name.EndsWith("proj.weight", StringComparison.Ordinal) || p.name == "lm_head.weight")
            .Sum(p => p.parameter.NumberOfElements);
        if (c.TieWordEmbeddings) linearWeights += (long)c.VocabSize * c.HiddenSize;   // lm_head is the embedding
        long n = linearWeights / c.HiddenSize;

        var generator = new Generator(1);
        _prompt = randint(2, c.VocabSize, [1, PrefillTokens], dtype: ScalarType.Int64, generator: generator);
        _prefillActivations = randn([PrefillTokens, c.HiddenSize], generator: generator);
        _decodeActivations = randn([1, c.HiddenSize], generator: generator);
        _equivalentWeights = randn([c.HiddenSize, n], generator: generator);
    }

    /// <summary>The prompt in one forward pass (logits of every position), per token.</summary>
    [Benchmark(OperationsPerInvoke = PrefillTokens)]
    public void Prefill()
    {
        using var noGrad = no_grad();
        using var logits = _model.forward(_prompt);
    }

    /// <summary>Greedy decoding with the KV cache after BOS, per generated token.</summary>
    [Benchmark(OperationsPerInvoke = DecodeTokens)]
    public IReadOnlyList<int> Decode() =>
        new LlamaGenerator(_model).Generate([1], new GenerationOptions { MaxNewTokens = DecodeTokens });

    /// <summary>A matmul with prefill's multiply-adds, per token.</summary>
    [Benchmark(OperationsPerInvoke = PrefillTokens)]
    public void MatmulPrefillEquivalent()
    {
        using var y = _prefillActivations.matmul(_equivalentWeights);
    }

    /// <summary>A vector-matrix product with one decode step's multiply-adds, per token.</summary>
    [Benchmark]
    public void MatmulDecodeEquivalent()
    {
        using var y = _decodeActivations.matmul(_equivalentWeights);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _prompt.Dispose();
        _prefillActivations.Dispose();
        _decodeActivations.Dispose();
        _equivalentWeights.Dispose();
    }

    private static string SharedFolder()
    {
        string? env = Environment.GetEnvironmentVariable("PAFT_SHARED_DIR");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Paft.MLNet.sln")))
            {
                string shared = Path.Combine(dir.FullName, "..", "shared");
                if (Directory.Exists(shared)) return shared;
            }
        }
        throw new DirectoryNotFoundException("these benchmarks need ../shared beside the repository (or PAFT_SHARED_DIR)");
    }
}
