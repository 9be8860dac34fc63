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
/// <para>
/// lm_head's layout in a decode step, alone: <c>profile-decode lm-head VOCAB HIDDEN fp32|bf16 [repetitions]</c>
/// times, interleaved, the product of 1 and 8 rows (decode at batch 1 and 8) with a [VOCAB, HIDDEN] weight
/// three ways: <c>linear(x, W)</c> (what the model calls: x Wᵀ with W stored [out, in]), <c>x.matmul(Wt)</c>
/// against an [in, out] copy (the layout "one matvec" uses; it costs a second copy of the weight), and
/// <c>W.matmul(xᵀ)ᵀ</c> (the same [out, in] weight as the left operand: a matrix-vector product that
/// reads W row by row, no copy). Random weights: only the shape matters.
/// </para>
/// </summary>
internal static class DecodeProfile
{
    private const int Context = 192;

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "lm-head")
            return RunLmHead(args[1..]);
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

        Console.WriteLine($"model={args[0]} threads={get_num_threads()} context={Context} repetitions={repetitions} linear_layers={weights.Count}");
        foreach (var (name, list) in times)
            Console.WriteLine($"{name,-20} {Median(list) * 1e3,9:F3} ms");
        return 0;
    }

    private static int RunLmHead(string[] args)
    {
        if (args.Length is < 3 or > 4 || args[2] is not ("fp32" or "bf16"))
        {
            Console.Error.WriteLine("usage: profile-decode lm-head <vocab> <hidden> <fp32|bf16> [repetitions]");
            return 2;
        }
        long vocab = long.Parse(args[0], CultureInfo.InvariantCulture), hidden = long.Parse(args[1], CultureInfo.InvariantCulture);
        var dtype = args[2] == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32;
        int repetitions = args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
        set_num_threads(BenchmarkModels.Threads);
        using var noGrad = no_grad();
        var generator = new Generator(1);
        using var weight = randn([vocab, hidden], generator: generator).to(dtype);           // [out, in], as stored
        using var transposed = weight.t().contiguous();                                     // [in, out] copy
        var cases = new[] { 1, 8 }.Select(rows => (Rows: rows, Input: randn([rows, hidden], generator: generator).to(dtype))).ToList();

        // Setup checks that the three give the same logits (up to the dtype's rounding).
        foreach (var (rows, input) in cases)
        {
            using var a = nn.functional.linear(input, weight);
            using var b = input.matmul(transposed);
            using var c = weight.matmul(input.t()).t();
            double scale = a.abs().max().to(ScalarType.Float64).item<double>();
            double tolerance = (dtype == ScalarType.BFloat16 ? 2e-2 : 1e-4) * scale;
            if ((a - b).abs().max().to(ScalarType.Float64).item<double>() > tolerance || (a - c).abs().max().to(ScalarType.Float64).item<double>() > tolerance)
                throw new InvalidOperationException($"lm_head layouts disagree at {rows} rows");
        }

        var times = new Dictionary<string, List<double>>();
        for (int r = 0; r <= repetitions; r++)   // repetition 0 warms up and is dropped
        {
            foreach (var (rows, input) in cases)
            {
                void Time(string name, Func<Tensor> product)
                {
                    var clock = Stopwatch.StartNew();
                    using (product()) { }
                    double seconds = clock.Elapsed.TotalSeconds;
                    if (r == 0) return;
                    string key = $"{rows} row{(rows == 1 ? "" : "s")}: {name}";
                    if (!times.TryGetValue(key, out var list)) times[key] = list = [];
                    list.Add(seconds);
                }
                Time("linear(x, W)", () => nn.functional.linear(input, weight));
                Time("x.matmul(W [in, out] copy)", () => input.matmul(transposed));
                Time("W.matmul(x.t()).t()", () => weight.matmul(input.t()).t());
            }
        }
        foreach (var (_, input) in cases) input.Dispose();

        Console.WriteLine($"lm_head [{vocab}, {hidden}] {args[2]} threads={get_num_threads()} repetitions={repetitions} (medians; ratio = time / linear's at the same rows)");
        foreach (var (name, list) in times)
        {
            string baseline = name[..(name.IndexOf(':') + 1)] + " linear(x, W)";
            Console.WriteLine($"{name,-40} {Median(list) * 1e3,9:F3} ms   {Median(list) / Median(times[baseline]),6:F2} x");
        }
        return 0;
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
