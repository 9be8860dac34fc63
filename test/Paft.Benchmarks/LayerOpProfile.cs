using System.Diagnostics;
using System.Globalization;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Modules;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// One decoder layer's training work, op by op, in fp32 and bf16 interleaved: where bf16 loses its
/// matmul advantage. Builds a one-layer model of a model folder's config (random weights), LoRA on
/// q_proj/v_proj, and times each op's forward + backward for both dtypes in turn, median of repetitions.
/// Run: dotnet run -c Release --project test/Paft.Benchmarks -- profile-ops &lt;model folder&gt; [batch] [length] [repetitions]
/// </summary>
internal static class LayerOpProfile
{
    public static int Run(string[] args)
    {
        if (args.Length is < 1 or > 4)
        {
            Console.Error.WriteLine("usage: profile-ops <model folder> [batch] [length] [repetitions]");
            return 2;
        }
        int batch = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
        int length = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 256;
        int repetitions = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
        set_num_threads(BenchmarkModels.Threads);
        var full = LlamaConfig.FromFile(Path.Combine(args[0], "config.json"));
        var config = new LlamaConfig
        {
            VocabSize = 256, HiddenSize = full.HiddenSize, IntermediateSize = full.IntermediateSize, NumHiddenLayers = 1,
            NumAttentionHeads = full.NumAttentionHeads, NumKeyValueHeads = full.NumKeyValueHeads, HeadDim = full.HeadDim,
            RmsNormEps = full.RmsNormEps, RopeTheta = full.RopeTheta, RopeScaling = full.RopeScaling,
        };

        var dtypes = new[] { ScalarType.Float32, ScalarType.BFloat16 };
        var models = dtypes.ToDictionary(d => d, d =>
        {
            var m = new LlamaForCausalLM(config, d);
            m.InitializeWeights(0);
            LoraAdapterSet.Apply(m, new LoraConfig { Rank = 8, Alpha = 16, TargetModules = ["q_proj", "v_proj"] });
            m.train();
            return m;
        });
        long h = config.HiddenSize, mlp = config.IntermediateSize, tokens = (long)batch * length;
        var cases = new List<(string Name, double Flops, Func<ScalarType, Action> Make)>();

        Action Backprop(Func<Tensor> forward) => () =>
        {
            using var scope = NewDisposeScope();
            Tensor y = forward();
            y.backward([ones_like(y)]);
        };
        Action Forward(Func<Tensor> forward) => () =>
        {
            using var scope = NewDisposeScope();
            forward();
        };

        cases.Add(("matmul [BT,h]x[h,mlp]", 2.0 * tokens * h * mlp, d =>
        {
            var a = randn(tokens, h, dtype: d); var b = randn(h, mlp, dtype: d);
            return Forward(() => a.matmul(b));
        }));
        cases.Add(("linear gate fwd", 2.0 * tokens * h * mlp, d =>
        {
            var x = randn(batch, length, h, dtype: d); var w = randn(mlp, h, dtype: d);
            return Forward(() => nn.functional.linear(x, w));
        }));
        cases.Add(("linear gate fwd+bwd(x)", 4.0 * tokens * h * mlp, d =>
        {
            var x = randn(batch, length, h, dtype: d).requires_grad_(); var w = randn(mlp, h, dtype: d);
            return Backprop(() => nn.functional.linear(x, w));
        }));
        cases.Add(("linear down fwd+bwd(x)", 4.0 * tokens * h * mlp, d =>
        {
            var x = randn(batch, length, mlp, dtype: d).requires_grad_(); var w = randn(h, mlp, dtype: d);
            return Backprop(() => nn.functional.linear(x, w));
        }));
        cases.Add(("silu*up fwd+bwd", 0, d =>
        {
            var g = randn(batch, length, mlp, dtype: d).requires_grad_(); var u = randn(batch, length, mlp, dtype: d).requires_grad_();
            return Backprop(() => nn.functional.silu(g) * u);
        }));
        cases.Add(("q_proj+LoRA fwd+bwd(x)", 4.0 * tokens * h * h, d =>
        {
            var x = randn(batch, length, h, dtype: d).requires_grad_();
            var q = models[d].Layers[0].self_attn.q_proj;
            return Backprop(() => q.call(x));
        }));
        cases.Add(("q_proj plain fwd+bwd(x)", 4.0 * tokens * h * h, d =>
        {
            var x = randn(batch, length, h, dtype: d).requires_grad_();
            var w = models[d].Layers[0].self_attn.q_proj.weight;
            return Backprop(() => nn.functional.linear(x, w));
        }));
        cases.Add(("rmsnorm fwd+bwd", 0, d =>
        {
            var x = randn(batch, length, h, dtype: d).requires_grad_();
            var norm = models[d].Layers[0].input_layernorm;
            return Backprop(() => norm.call(x));
        }));
        // Causal, or with an explicit mask: one left-padded key in the first row makes the step carry a mask bias.
        StepContext Step(bool masked, ScalarType d)
        {
            Tensor? keyMask = null;
            if (masked)
            {
                keyMask = ones(batch, length, ScalarType.Int64);
                keyMask[0, 0] = tensor(0L);
            }
            return StepContext.Create(new RotaryEmbedding(config), config, batch, length, keyMask, null, d, CPU);
        }
        long heads = config.NumAttentionHeads, hd = config.HeadDim;
        double attnFlops = 4.0 * batch * heads * hd * length * (length + 1) / 2.0 * 3; // fwd + bwd, causal half
        foreach (bool masked in new[] { false, true })
        {
            cases.Add(($"sdpa {(masked ? "mask" : "causal")} fwd+bwd", attnFlops, d =>
            {
                var q = randn(batch, heads, length, hd, dtype: d).requires_grad_();
                var k = randn(batch, heads, length, hd, dtype: d).requires_grad_();
                var v = randn(batch, heads, length, hd, dtype: d).requires_grad_();
                var step = Step(masked, d);
                return Backprop(() => LlamaAttention.Attend(q, k, v, step));
            }));
        }
        cases.Add(("rotary fwd+bwd", 0, d =>
        {
            var q = randn(batch, heads, length, hd, dtype: d).requires_grad_();
            var pos = arange(length).unsqueeze(0).expand(batch, length);
            var (cos, sin) = new RotaryEmbedding(config).CosSin(pos, d);
            return Backprop(() => RotaryEmbedding.Apply(q, cos, sin));
        }));
        double layerFlops = 4.0 * tokens * (2 * h * h + 2 * h * config.NumKeyValueHeads * hd + 3 * h * mlp) + attnFlops;
        foreach (bool masked in new[] { false, true })
        {
            cases.Add(($"layer {(masked ? "mask" : "causal")} fwd+bwd", layerFlops, d =>
            {
                var x = randn(batch, length, h, dtype: d).requires_grad_();
                var step = Step(masked, d);
                var layer = models[d].Layers[0];
                return Backprop(() => layer.call(x, step));
            }));
        }

        Console.WriteLine($"config={args[0]} batch={batch} length={length} threads={get_num_threads()} repetitions={repetitions}");
        // Columns: wall-clock medians of fp32, bf16 with libtorch's own bf16 kernels ("native") and bf16 with
        // the products widened to fp32 (Bf16Matmul), their speed-ups over fp32 and GFLOP/s; then the same in
        // process CPU time, which a loaded machine disturbs less (with one thread it is the op's own work).
        Console.WriteLine($"{"op",-26} {"fp32 ms",9} {"bf16 nat",9} {"bf16 wide",9} {"fp32/nat",9} {"fp32/wide",9} {"fp32 GF/s",9} {"nat GF/s",9} {"wide GF/s",9} | cpu {"fp32 ms",9} {"nat ms",9} {"wide ms",9} {"fp32/nat",9} {"fp32/wide",9}");
        foreach (var (name, flops, make) in cases)
        {
            var actions = dtypes.ToDictionary(d => d, make);
            Action widened = make(ScalarType.BFloat16);
            var times = dtypes.ToDictionary(d => d, _ => new List<double>());
            var cpu = dtypes.ToDictionary(d => d, _ => new List<double>());
            var wideTimes = new List<double>();
            var wideCpu = new List<double>();
            var process = Process.GetCurrentProcess();
            void Time(Action action, bool widen, List<double> wall, List<double> cpuTimes)
            {
                Bf16Matmul.WidenOnCpu = widen;
                process.Refresh();
                TimeSpan cpuBefore = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                action();
                wall.Add(clock.Elapsed.TotalMilliseconds);
                process.Refresh();
                cpuTimes.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
            }
            for (int r = -1; r < repetitions; r++) // r = -1 warms up and is dropped
            {
                foreach (var d in dtypes)
                    Time(actions[d], widen: false, times[d], cpu[d]);
                Time(widened, widen: true, wideTimes, wideCpu);
                if (r < 0)
                {
                    foreach (var d in dtypes) { times[d].Clear(); cpu[d].Clear(); }
                    wideTimes.Clear(); wideCpu.Clear();
                }
            }
            double f = Median(times[ScalarType.Float32]), b = Median(times[ScalarType.BFloat16]), w = Median(wideTimes);
            double fc = Median(cpu[ScalarType.Float32]), bc = Median(cpu[ScalarType.BFloat16]), wc = Median(wideCpu);
            string rate(double ms) => flops > 0 ? $"{flops / ms / 1e6,9:F1}" : $"{"-",9}";
            Console.WriteLine($"{name,-26} {f,9:F1} {b,9:F1} {w,9:F1} {f / b,9:F2} {f / w,9:F2} {rate(f)} {rate(b)} {rate(w)} | cpu {fc,9:F1} {bc,9:F1} {wc,9:F1} {fc / bc,9:F2} {fc / wc,9:F2}");
        }
        return 0;
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
