using Paft.Cli.Reporting;
using System.Text.Json;
using Paft.Cli.Tests.Prompts;
using Paft.Llama.Modeling;
using Paft.Llama.Tokenization;
using Microsoft.ML;
using Paft.MLNet;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;

namespace Paft.Cli.Tests.Demo;

/// <summary>
/// <c>paft demo --quick</c> runs every stage at toy size: the numbers mean nothing, the plumbing is what is
/// checked (table, report, plots, models usable by the other commands).
/// </summary>
[Collection(SerialTorchWork.Name)]
public sealed class DemoCommandTests
{
    [Fact]
    public void QuickDemoPrintsTheTableAndWritesReportPlotsAndLoadableModels()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "demo");
        CliRunner.Result run = CliRunner.Run("demo", "--quick", "--out", output, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        var mlContext = new MLContext(1);
        foreach (string method in new[] { "base", "sft", "sft-top", "zopo", "batprompt", "paft" })
        {
            Assert.Contains($"| {method} |", run.Output);
            string modelDir = Path.Combine(output, method);
            if (method == "base")
            {
                LlamaForCausalLM model = LlamaForCausalLM.FromPretrained(modelDir);
                Assert.Equal(model.Config.VocabSize, TokenizerLoader.Load(modelDir).VocabSize);
            }
            else
                Assert.True(PaftTransformer.Load(mlContext, modelDir).HasAdapter, method);
        }
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("where-is", report);
        Assert.Contains("seed", report);
        foreach (string png in new[] { "accuracy_by_template.png", "training_loss.png", "training_time.png", "inference_time.png" })
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(output, png));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes.Take(4));
        }
        Assert.Contains("## Training time per method (the paper's Table 6)", report);
        Assert.Contains("## Inference in generation mode (the paper's Table 2)", report);
        // Five trained methods in the training-time table, six models in the inference table.
        string timing = report[report.IndexOf("## Training time", StringComparison.Ordinal)..];
        Assert.Equal(5, timing[..timing.IndexOf("## Inference", StringComparison.Ordinal)].Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal)) - 1);
        Assert.Contains("zopo's template", report);
        Assert.Contains("batprompt's template", report);

        // `paft report --in` on the demo's folder rebuilds the cost tables and the loss table from its files alone.
        string again = Path.Combine(folder.Path, "again");
        CliRunner.Result rebuilt = CliRunner.Run("report", "--in", output, "--out", again);
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Error);
        string rebuiltReport = File.ReadAllText(Path.Combine(again, "report.md"));
        string Section(string text, string heading)
        {
            string rest = text[text.IndexOf(heading, StringComparison.Ordinal)..];
            return rest[..(rest.IndexOf("\n## ", heading.Length, StringComparison.Ordinal) is int end and > 0 ? end : rest.Length)];
        }
        foreach (string heading in new[] { "## Training time per method", "## Inference in generation mode", "## Training\n" })
            Assert.Equal(Section(report, heading), Section(rebuiltReport, heading));

        // The embedded tokenizer takes any UTF-8 text and gives it back unchanged.
        ILlamaTokenizer demoTokenizer = TokenizerLoader.Load(Path.Combine(output, "base"));
        const string text = "Ünïcode, 漢字, emoji 🙂 and a tab\tstay intact.";
        Assert.Equal(text, demoTokenizer.Decode(demoTokenizer.Encode(text)));
    }

    [Fact]
    public void TheDemosEvaluationsGiveCompareThePapersTable1CleanAndAdversarial()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "demo");
        CliRunner.Result demo = CliRunner.Run("demo", "--quick", "--out", output, "--threads", "1");
        Assert.True(demo.ExitCode == 0, demo.Error);
        string[] demoTable = demo.Output.Split('\n').SkipWhile(l => !l.StartsWith("| Method", StringComparison.Ordinal)).Take(8).ToArray();

        string comparison = Path.Combine(folder.Path, "cmp");
        CliRunner.Result compare = CliRunner.Run("compare", "--in", Path.Combine(output, "eval"), "--out", comparison);

        Assert.True(compare.ExitCode == 0, compare.Error);
        string[] table = compare.Output.Split('\n').Take(8).ToArray();
        // The same table the demo printed, from the files alone: every method, both sets, in the paper's order.
        Assert.Equal(demoTable, table);
        Assert.Contains("Adversarial Mean ± Std", table[0]);
        Assert.Equal(["base", "sft", "sft-top", "zopo", "batprompt", "paft"], table.Skip(2).Select(l => l.Split('|')[1].Trim()));
        Assert.All(table.Skip(2), l => Assert.DoesNotContain("—", l));
        Assert.Contains("accuracy_by_template.png", File.ReadAllText(Path.Combine(comparison, "comparison.md")));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(comparison, "accuracy_by_template.png")).Take(4));

        // The demo also writes its task, rows and pools; with them the saved PAFT model, evaluated again from the files
        // alone through the public API, gives the mean its eval/paft.json reports.
        var mlContext = new MLContext(1);
        TaskDefinition task = TaskDefinitionFile.Load(Path.Combine(output, "task.json"));
        IDataView test = TaskReaders.ReadGeneric(task, Path.Combine(output, "data", "test.jsonl")).ToDataView();
        Assert.True(File.Exists(Path.Combine(output, "data", "train.jsonl")));
        Assert.True(File.Exists(Path.Combine(output, "prompts", "train.jsonl")));
        PromptPool testPool = PromptPool.Load(Path.Combine(output, "prompts", "test.jsonl"));
        PromptRobustnessMetrics again = mlContext.Paft().Evaluate(PaftTransformer.Load(mlContext, Path.Combine(output, "paft")), test, testPool.Templates);
        using JsonDocument saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "eval", "paft.json")));
        double savedMean = saved.RootElement.GetProperty("summary").GetProperty("meanAccuracy").GetDouble();
        Assert.Equal(Math.Round(savedMean, 4), Math.Round(again.MeanAccuracy, 4));
        Assert.Equal(testPool.Templates.Select(t => t.Id), saved.RootElement.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("id").GetString()));

        // And through the command line, as a user re-evaluates the demo's model on its own files.
        string evalFile = Path.Combine(folder.Path, "m.json");
        CliRunner.Result eval = CliRunner.Run("eval", "--model", Path.Combine(output, "paft"), "--task-def", Path.Combine(output, "task.json"),
            "--data", Path.Combine(output, "data", "test.jsonl"), "--prompts", Path.Combine(output, "prompts", "test.jsonl"), "--out", evalFile);
        Assert.True(eval.ExitCode == 0, eval.Error);
        using JsonDocument cli = JsonDocument.Parse(File.ReadAllText(evalFile));
        Assert.Equal(Math.Round(savedMean, 4), Math.Round(cli.RootElement.GetProperty("summary").GetProperty("meanAccuracy").GetDouble(), 4));

        // PAFT retrained from the demo's files with the paper's K: the template a step trained on is held for 4 steps.
        string retrained = Path.Combine(folder.Path, "retrained");
        CliRunner.Result train = CliRunner.Run("train", "--model", Path.Combine(output, "base"), "--task-def", Path.Combine(output, "task.json"),
            "--data", Path.Combine(output, "data", "train.jsonl"), "--prompts", Path.Combine(output, "prompts", "train.jsonl"), "--k", "4",
            "--recipe", "small-model", "--batch-size", "1", "--limit", "16", "--epochs", "1", "--seed", "3", "--out", retrained);
        Assert.True(train.ExitCode == 0, train.Error);
        string[][] groups = TrainingLog.Load(Path.Combine(retrained, TrainingLog.FileName)).Entries.Select(e => e.TemplateIds).Chunk(4).ToArray();
        Assert.Equal(4, groups.Length);
        Assert.All(groups, g => Assert.Single(g.Distinct()));
        Assert.True(groups.Zip(groups.Skip(1)).Any(p => p.First[0] != p.Second[0]), "the template never changed between groups of 4 steps");
    }

    [SharedFact]
    public void TheDemosPaftModelEvaluatesOnRealPiqaRowsItNeverSaw()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "demo");
        CliRunner.Result demo = CliRunner.Run("demo", "--quick", "--out", output, "--threads", "1");
        Assert.True(demo.ExitCode == 0, demo.Error);
        string pool = folder.Write("piqa-pool.jsonl",
            """{"id":"p1","text":"Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:"}""",
            """{"id":"p2","text":"{goal} Which is better? (A) {sol1} (B) {sol2} The answer is"}""");
        string json = Path.Combine(folder.Path, "eval.json");

        // The saved PAFT model's folder holds its PEFT adapter: applied to the base, it answers another task's rows.
        CliRunner.Result eval = CliRunner.Run("eval", "--model", Path.Combine(output, "base"), "--adapter", Path.Combine(output, "paft"), "--task", "piqa",
            "--data", SharedData.Path("benchmarks", "piqa", "valid.jsonl"), "--prompts", pool, "--limit", "6", "--out", json);

        Assert.True(eval.ExitCode == 0, eval.Error);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(2, document.RootElement.GetProperty("templates").GetArrayLength());
    }
}
