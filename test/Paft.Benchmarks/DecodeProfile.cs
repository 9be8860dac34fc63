using System.Diagnostics;
using System.Globalization;
using Paft.Llama.Inference;
using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// Where a decode step's time goes: one cached decode step of the whole model against the same step's
/// linear layers alone (every projection and lm_head applied to a [1, 1, hidden]-shaped input, as in
/// decoding) and against one vector-matrix product with all of their multiply-adds, interleaved.
/// The difference between the model step and its linear layers is everything else: norms, RoPE,
/// attention over the cache, the cache writes, masks and per-call overhead. Medians over the repetitions.
/// Run: dotnet run -c Release --project test/Paft.Benchmarks -- profile-decode llama-20m [repetitions]
/// </summary>
internal static class DecodeProfile
{
    private const int Context = 192;

    public static int Run(string[] args)
    {
        if (args.Length is < 1 or > 2)
        {
            Console.Error.WriteLine($"usage: profile-decode <{BenchmarkModels.Stories260K}|{BenchmarkModels.Llama20M}> [repetitions]");
            return 2;
        }
        int repetitions = args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        set_num_threads(BenchmarkModels.Threads);
        using var noGrad = no_grad();
        using LlamaForCausalLM model = BenchmarkModels.Load(args[0]);
        var c = model.Config;
        var generator = new Generator(1);
        using var prompt = randint(3, c.VocabSize, [1, Context], dtype: ScalarType.Int64, generator: generator);
        using var cache = new KvCache();
        using (model.forward(prompt, null, cache)) { }

        // Every linear layer's weight, with the input width it multiplies (lm_head's is the embedding when tied).
        var weights = model.named_parameters()
            .Where(p => p.name.EndsWith("proj.weight", StringComparison.Ordinal) || p.name == "lm_head.weight")
            .Select(p => (Tensor)p.parameter).ToList();
        if (c.TieWordEmbeddings)
            weights.Add(model.named_parameters().Single(p => p.name == "model.embed_tokens.weight").parameter);
        long linear = weights.Sum(w => w.NumberOfElements);
        using var vector = randn([1, c.HiddenSize], generator: generator);
        using var equivalent = randn([c.HiddenSize, linear / c.HiddenSize], generator: generator);
        var inputs = weights.Select(w => randn([1, 1, w.shape[1]], generator: generator)).ToList();

        var times = new Dictionary<string, List<double>> { ["model step"] = [], ["its linear layers"] = [], ["one matvec"] = [] };
        long token = 5;
        for (int r = 0; r <= repetitions; r++)   // repetition 0 warms up and is dropped
        {
            using var rowCache = cache.SelectRows([0]);   // the same context length every repetition
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                var logits = model.forward(tensor(new[] { token }, ScalarType.Int64).reshape(1, 1), null, rowCache);
                token = logits[0, -1].argmax().item<long>();
            }
            double step = clock.Elapsed.TotalSeconds;
            clock.Restart();
            using (var scope = NewDisposeScope())
            {
                for (int i = 0; i < weights.Count; i++)
                    nn.functional.linear(inputs[i], weights[i]);
            }
            double linears = clock.Elapsed.TotalSeconds;
            clock.Restart();
            using (vector.matmul(equivalent)) { }
            double matvec = clock.Elapsed.TotalSeconds;
            if (r == 0) continue;
            times["model step"].Add(step);
            times["its linear layers"].Add(linears);
            times["one matvec"].Add(matvec);
        }
        foreach (var t in inputs) t.Dispose();

        static double Median(List<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
        Console.WriteLine($"model={args[0]} threads={get_num_threads()} context={Context} repetitions={repetitions} linear_layers={weights.Count}");
        foreach (var (name, list) in times)
            Console.WriteLine($"{name,-20} {Median(list) * 1e3,9:F3} ms");
        return 0;
    }
}
