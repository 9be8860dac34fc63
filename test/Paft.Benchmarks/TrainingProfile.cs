using System.Diagnostics;
using System.Globalization;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Paft.Benchmarks;

/// <summary>
/// Where a training step's time goes, for the "is it at half the matmul rate, and if not why" question
/// of the training benchmark: the step of <see cref="TrainingWorkload"/> cut into collation, the decoder
/// trunk's forward, lm_head + cross-entropy over the vocabulary, backward, and gradient clipping +
/// AdamW, each timed with a 1024² fp32 matmul interleaved so that every segment's FLOP/s is read as a
/// fraction of the matmul rate measured at the same moment. Medians over the repetitions.
/// Run: dotnet run -c Release --project test/Paft.Benchmarks -- profile llama-20m Lora [repetitions]
/// </summary>
internal static class TrainingProfile
{
    public static int Run(string[] args)
    {
        if (args.Length is < 2 or > 3 || !Enum.TryParse(args[1], ignoreCase: true, out TrainingMode mode))
        {
            Console.Error.WriteLine($"usage: profile <{BenchmarkModels.Stories260K}|{BenchmarkModels.Llama20M}> <Lora|Full> [repetitions]");
            return 2;
        }
        int repetitions = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        set_num_threads(BenchmarkModels.Threads);

        using LlamaForCausalLM model = BenchmarkModels.Load(args[0]);
        List<Parameter> trainable = mode == TrainingMode.Lora
            ? LoraAdapterSet.Apply(model, new LoraConfig { Rank = 8, Alpha = 16, TargetModules = ["q_proj", "v_proj"] })
                .NamedParameters().Select(p => p.Parameter).ToList()
            : model.parameters().ToList();
        using var optimizer = optim.AdamW(trainable, lr: 1e-4);
        var random = new Random(7);
        int vocab = model.Config.VocabSize, length = TrainingWorkload.SequenceLength;
        var examples = Enumerable.Range(0, TrainingWorkload.BatchSize).Select(_ => new TrainingExample(
            Enumerable.Range(0, length - 2).Select(_ => random.Next(3, vocab)).ToArray(),
            Enumerable.Range(0, 2).Select(_ => random.Next(3, vocab)).ToArray())).ToArray();
        int[] order = Enumerable.Range(0, examples.Length).ToArray();
        using var square = randn([1024, 1024], generator: new Generator(1));

        double linear = BenchmarkModels.LinearWeights(model);
        double lmHead = (double)model.Config.VocabSize * model.Config.HiddenSize;
        double attention = BenchmarkModels.AttentionFlopsPerToken(model, length);
        double tokens = TrainingWorkload.TokensPerStep;
        var flops = new Dictionary<string, double>
        {
            ["collate"] = 0,
            ["trunk forward"] = tokens * (2 * (linear - lmHead) + attention),
            ["lm_head + loss forward"] = tokens * 2 * lmHead,
            ["backward"] = tokens * ((mode == TrainingMode.Lora ? 2 : 4) * linear + 2 * attention),
            ["clip + AdamW"] = 0,
            ["matmul 1024²"] = 2.0 * 1024 * 1024 * 1024,
        };
        var times = flops.Keys.ToDictionary(k => k, _ => new List<double>());

        model.train();
        for (int r = 0; r < repetitions + 1; r++)   // the first repetition warms up and is dropped
        {
            var clock = Stopwatch.StartNew();
            void Lap(string segment)
            {
                if (r > 0) times[segment].Add(clock.Elapsed.TotalSeconds);
                clock.Restart();
            }

            using (var m = square.matmul(square)) { }
            Lap("matmul 1024²");
            using var batch = CausalLMBatch.Collate(examples, order, length, padTokenId: 0);
            Lap("collate");
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                Tensor hidden = model.ForwardHidden(batch.InputIds, batch.AttentionMask, null);
                Lap("trunk forward");
                Tensor loss = CompletionLoss.Sum(model.Logits(hidden), batch.Labels) / batch.LossTokens;
                loss.item<float>();
                Lap("lm_head + loss forward");
                loss.backward();
                Lap("backward");
            }
            LoraTrainer.ClipGradients(trainable, 1.0);
            optimizer.step();
            Lap("clip + AdamW");
            using (var m = square.matmul(square)) { }
            Lap("matmul 1024²");
        }
        model.eval();

        static double Median(List<double> v) { var s = v.Order().ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }
        double matmulRate = flops["matmul 1024²"] / Median(times["matmul 1024²"]);
        double step = flops.Keys.Where(k => k != "matmul 1024²").Sum(k => Median(times[k]));
        Console.WriteLine($"model={args[0]} mode={mode} threads={get_num_threads()} repetitions={repetitions} " +
                          $"matmul_gflops={matmulRate / 1e9:F2} step_seconds={step:F3} tokens_per_second={tokens / step:F0}");
        Console.WriteLine($"{"segment",-24} {"seconds",9} {"share",7} {"GFLOP/s",9} {"of matmul",10}");
        foreach (string k in flops.Keys.Where(k => k != "matmul 1024²"))
        {
            double t = Median(times[k]);
            string rate = flops[k] > 0 ? $"{flops[k] / t / 1e9,9:F2} {flops[k] / t / matmulRate,10:F3}" : $"{"-",9} {"-",10}";
            Console.WriteLine($"{k,-24} {t,9:F4} {t / step,7:P1} {rate}");
        }
        return 0;
    }
}
