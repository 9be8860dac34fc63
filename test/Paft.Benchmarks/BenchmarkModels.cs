using Paft.Llama.Modeling;

namespace Paft.Benchmarks;

/// <summary>
/// The two models every benchmark runs on: stories260K from ../shared (Karpathy's TinyStories weights)
/// and ../shared/bench/llama-20m.json with random weights (seed 0), plus the FLOP counts the
/// matmul-rate fractions are computed from.
/// </summary>
internal static class BenchmarkModels
{
    public const string Stories260K = "stories260K";
    public const string Llama20M = "llama-20m";

    /// <summary>
    /// Torch's intra-op threads: PAFT_BENCH_THREADS if set, else one per core. On a machine shared with
    /// other busy processes, fewer threads than cores can be faster: every parallel op waits for its
    /// slowest thread, and a thread that is not scheduled stalls the op.
    /// </summary>
    public static int Threads =>
        int.TryParse(Environment.GetEnvironmentVariable("PAFT_BENCH_THREADS"), out int n) && n > 0 ? n : Environment.ProcessorCount;

    /// <summary>
    /// The models the benchmarks run on (their <c>Model</c> parameter): PAFT_BENCH_MODELS as a
    /// comma-separated list if set (e.g. only stories260K on a busy machine), else both.
    /// </summary>
    public static IEnumerable<string> Names =>
        Environment.GetEnvironmentVariable("PAFT_BENCH_MODELS") is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [Stories260K, Llama20M];

    public static LlamaForCausalLM Load(string name)
    {
        string shared = SharedFolder();
        LlamaForCausalLM model;
        if (name == Stories260K)
        {
            model = LlamaForCausalLM.FromPretrained(Path.Combine(shared, "fixtures", "llama", "stories260K"));
        }
        else if (name == Llama20M)
        {
            model = new LlamaForCausalLM(LlamaConfig.FromFile(Path.Combine(shared, "bench", "llama-20m.json")));
            model.InitializeWeights(seed: 0);
        }
        else
        {
            throw new ArgumentException($"Unknown benchmark model '{name}' (use {Stories260K} or {Llama20M}).", nameof(name));
        }
        model.eval();
        return model;
    }

    /// <summary>
    /// Weights that take part in a matmul for every token: all projections and lm_head (counted again
    /// when it is tied to the embedding). The embedding lookup is not a matmul, so it is left out:
    /// forward FLOPs per token are 2 × this (plus attention, see <see cref="AttentionFlopsPerToken"/>).
    /// </summary>
    public static long LinearWeights(LlamaForCausalLM model)
    {
        var c = model.Config;
        long weights = model.named_parameters()
            .Where(p => p.name.EndsWith("proj.weight", StringComparison.Ordinal) || p.name == "lm_head.weight")
            .Sum(p => p.parameter.NumberOfElements);
        if (c.TieWordEmbeddings) weights += (long)c.VocabSize * c.HiddenSize;
        return weights;
    }

    /// <summary>
    /// Forward FLOPs of attention itself (QKᵀ and the weighted sum of V) per token, for a causal
    /// sequence of <paramref name="length"/>: on average a token attends to (length + 1) / 2 positions.
    /// </summary>
    public static double AttentionFlopsPerToken(LlamaForCausalLM model, int length)
    {
        var c = model.Config;
        double attended = (length + 1) / 2.0;
        return 2.0 * 2.0 * attended * c.NumAttentionHeads * c.HeadDim * c.NumHiddenLayers;
    }

    public static string SharedFolder()
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
        throw new DirectoryNotFoundException("These benchmarks need ../shared beside the repository (or PAFT_SHARED_DIR).");
    }
}
