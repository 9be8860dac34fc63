using System.Text.Json;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;
using Paft.MLNet;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Perturbation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Eval;

public sealed class EvalCommandTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    [SharedFact]
    public void TrainThenEval_OneEntryPerTemplate_SummaryAgreesWithEntries_AdapterOnBaseMatchesSavedModel()
    {
        string pool = _data.WritePool();
        string model = _data.PathOf("paft");
        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "4", "--batch-size", "2", "--epochs", "1", "--lr", "1e-2", "--out", model);

        Assert.True(train.ExitCode == 0, train.Error);
        // Output is not a terminal here: plain progress lines, one a step (2 steps: 4 rows, batch 2).
        Assert.Contains("train step 1/2  epoch 1/1  loss ", train.Output);
        Assert.Contains("train step 2/2  epoch 1/1  loss ", train.Output);
        Assert.DoesNotContain('\u001b', train.Output);
        Assert.True(File.Exists(Path.Combine(model, "paft_model.json")));

        string saved = _data.PathOf("eval", "paft.json");
        CliRunner.Result eval = CliRunner.Run("eval", "--model", model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "5", "--out", saved);

        Assert.True(eval.ExitCode == 0, eval.Error);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(saved));
        JsonElement root = json.RootElement;
        JsonElement[] templates = root.GetProperty("templates").EnumerateArray().ToArray();
        Assert.Equal(WorkflowTestData.PoolIds, templates.Select(t => t.GetProperty("id").GetString()!).ToArray());
        double[] accuracies = templates.Select(t => t.GetProperty("accuracy").GetDouble()).ToArray();
        foreach (JsonElement t in templates)
        {
            Assert.Equal(5, t.GetProperty("count").GetInt32());
            Assert.Equal(t.GetProperty("correct").GetInt32() / 5.0, t.GetProperty("accuracy").GetDouble(), 12);
        }
        JsonElement summary = root.GetProperty("summary");
        double mean = accuracies.Average();
        Assert.Equal(mean, summary.GetProperty("meanAccuracy").GetDouble(), 12);
        Assert.Equal(accuracies.Min(), summary.GetProperty("minAccuracy").GetDouble(), 12);
        Assert.Equal(accuracies.Max(), summary.GetProperty("maxAccuracy").GetDouble(), 12);
        Assert.Equal(Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / accuracies.Length), summary.GetProperty("accuracyStdDev").GetDouble(), 12);
        Assert.Equal(TopXThresholds.Piqa, summary.GetProperty("topXThreshold").GetDouble());
        Assert.Equal(accuracies.Count(a => a >= TopXThresholds.Piqa) / 3.0, summary.GetProperty("topXShare").GetDouble(), 12);
        Assert.Equal(Path.GetFullPath(model), root.GetProperty("run").GetProperty("model").GetString());
        Assert.Equal("3", root.GetProperty("run").GetProperty("trainingTemplates").GetString());
        // The printed table has a line a template.
        foreach (string id in WorkflowTestData.PoolIds)
            Assert.Contains(id, eval.Output);

        // The saved model folder is a PEFT adapter: on the base model it must answer exactly as the saved model does.
        string viaAdapter = _data.PathOf("eval", "adapter.json");
        CliRunner.Result adapter = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--adapter", model, "--task", "piqa",
            "--data", WorkflowTestData.Piqa, "--prompts", pool, "--limit", "5", "--out", viaAdapter);

        Assert.True(adapter.ExitCode == 0, adapter.Error);
        using JsonDocument adapterJson = JsonDocument.Parse(File.ReadAllText(viaAdapter));
        Assert.Equal(
            templates.Select(t => t.GetProperty("correct").GetInt32()),
            adapterJson.RootElement.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("correct").GetInt32()));
        Assert.Equal(
            templates.Select(t => t.GetProperty("logLoss").GetDouble()),
            adapterJson.RootElement.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("logLoss").GetDouble()),
            new ToleranceComparer(1e-5));

        // A saved model already has its adapter: asking for another is an input error, and nothing is written.
        string refused = _data.PathOf("eval", "refused.json");
        CliRunner.Result both = CliRunner.Run("eval", "--model", model, "--adapter", model, "--task", "piqa",
            "--data", WorkflowTestData.Piqa, "--prompts", pool, "--limit", "5", "--out", refused);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--adapter", both.Error);
        Assert.False(File.Exists(refused));

        // The same model as one file (PaftTransformer.Save("model.zip")) evaluates exactly as its folder.
        string zip = _data.PathOf("paft.zip");
        PaftTransformer.Load(new Microsoft.ML.MLContext(seed: 0), model).Save(zip);
        string viaZip = _data.PathOf("eval", "zip.json");
        CliRunner.Result zipped = CliRunner.Run("eval", "--model", zip, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "5", "--out", viaZip);
        Assert.True(zipped.ExitCode == 0, zipped.Error);
        using JsonDocument zipJson = JsonDocument.Parse(File.ReadAllText(viaZip));
        Assert.Equal(
            templates.Select(t => (t.GetProperty("correct").GetInt32(), t.GetProperty("logLoss").GetDouble())),
            zipJson.RootElement.GetProperty("templates").EnumerateArray().Select(t => (t.GetProperty("correct").GetInt32(), t.GetProperty("logLoss").GetDouble())));
    }

    [SharedFact]
    public void Bf16TrainingWithCheckpointing_SavesABf16Model_AndEvalDtypeOverridesIt()
    {
        string pool = _data.WritePool();
        string model = _data.PathOf("paft-bf16");
        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "4", "--batch-size", "2", "--epochs", "1", "--lr", "1e-2", "--dtype", "bf16", "--gradient-checkpointing",
            "--out", model);
        Assert.True(train.ExitCode == 0, train.Error);
        using (JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "paft_model.json"))))
            Assert.Equal("b_float16", manifest.RootElement.GetProperty("compute_type").GetString());
        using (JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "train_config.json"))))
        {
            Assert.Equal("bf16", config.RootElement.GetProperty("dtype").GetString());
            Assert.True(config.RootElement.GetProperty("gradientCheckpointing").GetBoolean());
        }

        // The same saved model evaluated in its own bf16 and, overridden, in fp32: both score every row.
        string asBf16 = _data.PathOf("eval", "bf16.json"), asFp32 = _data.PathOf("eval", "fp32.json");
        CliRunner.Result bf16 = CliRunner.Run("eval", "--model", model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "3", "--out", asBf16);
        CliRunner.Result fp32 = CliRunner.Run("eval", "--model", model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "3", "--dtype", "fp32", "--out", asFp32);
        Assert.True(bf16.ExitCode == 0, bf16.Error);
        Assert.True(fp32.ExitCode == 0, fp32.Error);
        foreach (string file in new[] { asBf16, asFp32 })
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(file));
            Assert.Equal(3, json.RootElement.GetProperty("exampleCount").GetInt32());
        }

        CliRunner.Result wrong = CliRunner.Run("eval", "--model", model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--dtype", "fp16", "--out", _data.PathOf("eval", "fp16.json"));
        Assert.NotEqual(0, wrong.ExitCode); // System.CommandLine refuses a value outside fp32, bf16
        Assert.Contains("fp16", wrong.Error);
    }

    [SharedFact]
    public void BaseModel_IsEvaluated_WhenTheFolderIsNotASavedModel()
    {
        string pool = _data.WritePool();
        string output = _data.PathOf("base.json");

        CliRunner.Result eval = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "3", "--mode", "loglik-norm", "--out", output);

        Assert.True(eval.ExitCode == 0, eval.Error);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal(3, json.RootElement.GetProperty("templateCount").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("exampleCount").GetInt32());
        Assert.Equal("loglik-norm", json.RootElement.GetProperty("run").GetProperty("mode").GetString());
        Assert.False(json.RootElement.GetProperty("run").TryGetProperty("trainingTemplates", out _));
    }

    [SharedFact]
    public void Adversarial_EvaluatesTheSeededVariantsOfThePool_AndRecordsTheTestSet()
    {
        string pool = _data.WritePool();
        string output = _data.PathOf("eval", "base.adversarial.json");

        CliRunner.Result eval = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "2", "--adversarial", "--adversarial-seed", "7", "--adversarial-variants", "2", "--out", output);

        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains("Adversarial test set: 6 adversarial template(s) from the 3 of", eval.Output);
        Assert.DoesNotContain("warning", eval.Error); // named X.adversarial.json, as compare --in expects
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(output));
        JsonElement run = json.RootElement.GetProperty("run");
        Assert.Equal("adversarial", run.GetProperty("testSet").GetString());
        Assert.Equal("7", run.GetProperty("adversarialSeed").GetString());
        Assert.Equal("2", run.GetProperty("adversarialVariants").GetString());
        string[] ids = json.RootElement.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray();
        // Two variants of each of the three templates, none of them a clean one.
        Assert.Equal(WorkflowTestData.PoolIds.SelectMany(id => new[] { $"{id}~adv1", $"{id}~adv2" }), ids);
        Assert.Empty(ids.Intersect(WorkflowTestData.PoolIds));
        // The same seed gives the same variants, and their texts are not the pool's.
        TaskDefinition task = TaskDefinition.Piqa;
        PromptPool clean = PromptPool.Load(pool);
        PromptPool expected = new AdversarialTemplateGenerator(new AdversarialTemplateOptions { Seed = 7, VariantsPerTemplate = 2 }).Generate(clean, task);
        Assert.Equal(expected.Select(e => e.Id), ids);
        Assert.Empty(expected.Select(e => e.Template.Text).Intersect(clean.Select(e => e.Template.Text)));
        // compare reads it as the adversarial evaluation of "base".
        Assert.True(Paft.Cli.Reporting.EvalResultFile.Read(output).IsAdversarial);
    }

    [Fact]
    public void AdversarialSettingsWithoutAdversarial_OrNoVariants_ExitTwoNamingTheOption()
    {
        string pool = _data.WritePool();
        string output = _data.PathOf("o.json");

        CliRunner.Result seed = CliRunner.Run("eval", "--model", _data.Folder, "--task", "piqa", "--data", pool, "--prompts", pool,
            "--adversarial-seed", "3", "--out", output);
        CliRunner.Result none = CliRunner.Run("eval", "--model", _data.Folder, "--task", "piqa", "--data", pool, "--prompts", pool,
            "--adversarial", "--adversarial-variants", "0", "--out", output);

        Assert.Equal(2, seed.ExitCode);
        Assert.Contains("--adversarial-seed applies only with --adversarial", seed.Error);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--adversarial-variants must be at least 1", none.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void MissingDataFile_ExitsTwoNamingIt_AndWritesNothing()
    {
        string pool = _data.WritePool();
        string missing = _data.PathOf("nope.jsonl");
        string output = _data.PathOf("out.json");

        CliRunner.Result eval = CliRunner.Run("eval", "--model", _data.Folder, "--task", "piqa", "--data", missing, "--prompts", pool, "--out", output);

        Assert.Equal(2, eval.ExitCode);
        Assert.Contains(missing, eval.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void UnknownMode_ExitsTwoListingTheModes()
    {
        CliRunner.Result eval = CliRunner.Run("eval", "--model", _data.Folder, "--task", "piqa", "--data", _data.WritePool("d.jsonl"),
            "--prompts", _data.WritePool(), "--mode", "vibes", "--out", _data.PathOf("o.json"));

        Assert.Equal(2, eval.ExitCode);
        Assert.Contains("'vibes'", eval.Error);
        Assert.Contains("loglik, loglik-option, loglik-norm, generate", eval.Error);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
