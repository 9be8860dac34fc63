using System.Diagnostics;
using Microsoft.ML;
using Paft.Llama.Checkpoints;
using Paft.Llama.Lora;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Paft.MLNet;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;
using static TorchSharp.torch;

namespace Paft.Stress;

/// <summary>What one stress run did: the fits and evaluations that finished, and every failure.</summary>
internal sealed record GcStressResult(int Fits, int Evaluations, int Collections, IReadOnlyList<Exception> Failures, TimeSpan Elapsed);

/// <summary>
/// Trains and evaluates PAFT on a tiny random LLaMA from several threads at once while one more thread
/// forces garbage collections and runs finalizers in a loop, as a server or UI host's other threads do.
/// A TorchSharp <c>Scalar</c> that nothing holds during a call (TorchSharp frees them only in
/// finalizers) is freed mid-call here, and the call fails ("Unknown scalar type", a <c>Scalar::toFloat</c>
/// check); with every Scalar held, every fit and evaluation finishes. Shared by the test suite
/// (test/Paft.MLNet.Tests/Stress) and the benchmark program's <c>stress</c> mode.
/// </summary>
internal static class GcStressHarness
{
    private static readonly PromptTemplate[] Templates =
    [
        PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "inline"),
        PromptTemplate.Parse("Which solution reaches the goal? {goal} (A) {sol1} (B) {sol2} Answer:", "paren"),
    ];

    private static readonly PromptTemplate[] TestTemplates =
    [
        PromptTemplate.Parse("{goal}\nOption A: {sol1}\nOption B: {sol2}\nThe answer is", "cue-last"),
    ];

    /// <summary>Runs <paramref name="fitsPerThread"/> fits, each followed by an evaluation, on each of
    /// <paramref name="threads"/> threads, with a collecting thread running until all have finished.</summary>
    public static GcStressResult Run(string modelFolder, int threads, int fitsPerThread, int rowsPerFit = 8, int pauseMs = 0, int hogs = 0,
        int generation = 2, int collectors = 1)
    {
        int fits = 0, evaluations = 0, collections = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var done = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var collectorThreads = Enumerable.Range(0, collectors).Select(_ => new Thread(() =>
        {
            while (!done.IsCancellationRequested)
            {
                GC.Collect(generation, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
                if (pauseMs > 0) Thread.Sleep(pauseMs);
            }
        }) { IsBackground = true, Name = "GC stress collector" }).ToList();
        collectorThreads.ForEach(c => c.Start());
        // Busy native work that collections do not suspend, so the workers are preempted inside their calls.
        var hogThreads = Enumerable.Range(0, hogs).Select(_ => new Thread(() =>
        {
            using var a = rand(192, 192);
            while (!done.IsCancellationRequested)
            {
                using var product = a.mm(a);
            }
        }) { IsBackground = true, Name = "GC stress CPU load" }).ToList();
        hogThreads.ForEach(h => h.Start());

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                var ml = new MLContext(seed: t);
                IDataView data = Rows(rowsPerFit, t).ToDataView(TaskDefinition.Piqa);
                for (int f = 0; f < fitsPerThread; f++)
                {
                    PaftTransformer model = ml.Paft().Trainers.PromptAgnosticFineTuning(Options(modelFolder, seed: t * 100 + f)).Fit(data);
                    Interlocked.Increment(ref fits);
                    var metrics = ml.Paft().Evaluate(model, data, TestTemplates);
                    if (metrics.Templates.Count != TestTemplates.Length)
                        throw new InvalidOperationException($"evaluation returned {metrics.Templates.Count} templates, not {TestTemplates.Length}");
                    Interlocked.Increment(ref evaluations);
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        }) { Name = $"GC stress worker {t}" }).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        done.Cancel();
        collectorThreads.ForEach(c => c.Join());
        hogThreads.ForEach(h => h.Join());
        return new GcStressResult(fits, evaluations, collections, failures.ToList(), clock.Elapsed);
    }

    /// <summary>Writes a small random LLaMA (2 layers, width <paramref name="hiddenSize"/>) with a word-level
    /// tokenizer over the task's words into <paramref name="folder"/>. The vocabulary is padded to
    /// <paramref name="vocabSize"/> rows (as Llama 2's 32000): the long softmax over it keeps the cores busy
    /// in native code, which collections do not pause, so the other threads are preempted mid-call.</summary>
    public static void WriteTinyModel(string folder, int hiddenSize = 16, int vocabSize = 32000)
    {
        Directory.CreateDirectory(folder);
        var texts = Rows(16, 0).SelectMany(r => r.Fields.Values)
            .Concat(Templates.Concat(TestTemplates).Select(t => t.Text)).Concat(["A", "B"]);
        var tokenizer = WordLevelTokenizer.FromTexts(texts);
        string json = $$"""
            {"model_type":"llama","vocab_size":{{Math.Max(vocabSize, tokenizer.VocabSize)}},"hidden_size":{{hiddenSize}},"intermediate_size":{{2 * hiddenSize}},"num_hidden_layers":2,
             "num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":1e-5,"max_position_embeddings":256,
             "tie_word_embeddings":false,"bos_token_id":{{tokenizer.BosId}},"eos_token_id":{{tokenizer.EosId}}}
            """;
        using var model = new LlamaForCausalLM(LlamaConfig.FromJson(json), ScalarType.Float32);
        model.InitializeWeights(seed: 11, std: 0.3);
        File.WriteAllText(Path.Combine(folder, "config.json"), json);
        SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"),
            model.named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter.detach())).ToList(),
            new Dictionary<string, string> { ["format"] = "pt" });
        tokenizer.Save(Path.Combine(folder, WordLevelTokenizer.FileName));
    }

    private static PaftTrainerOptions Options(string modelFolder, int seed) => new()
    {
        ModelPath = modelFolder,
        Task = TaskDefinition.Piqa,
        TrainingTemplates = Templates,
        Lora = new LoraConfig { Rank = 4, Alpha = 8, Dropout = 0.1 },
        Epochs = 2,
        BatchSize = 4,
        LearningRate = 1e-2,
        WeightDecay = 0.01,
        RedrawEverySteps = 1,
        Seed = seed,
        MaxLength = 64,
    };

    private static IEnumerable<TaskExample> Rows(int count, int offset) => Enumerable.Range(offset, count).Select(i => new TaskExample(
        new Dictionary<string, string>
        {
            ["goal"] = $"keep item {i % 10} dry",
            ["sol1"] = i % 2 == 0 ? "put it in a sealed bag" : "leave it in the rain",
            ["sol2"] = i % 2 == 0 ? "leave it in the rain" : "put it in a sealed bag",
        },
        i % 2));
}
