using System.Text.Json;
using System.Text.Json.Nodes;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Eval;

/// <summary>
/// <c>--task-def</c> on <c>paft train</c> and <c>paft eval</c>, <c>paft eval --max-length</c>, prompts too long for the
/// budget as one-line errors, and <c>--mode</c> checked against a saved model's training target.
/// </summary>
public sealed class EvalTaskDefinitionTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>PIQA's fields as a custom task (read in the generic layout), and the first PIQA rows written in it.</summary>
    private (string TaskFile, string Rows) WriteCustomPiqa(string name, int rows)
    {
        var task = new TaskDefinition(name, ["goal", "sol1", "sol2"], ["sol1", "sol2"]);
        string taskFile = _data.PathOf(name + ".task.json");
        TaskDefinitionFile.Save(task, taskFile);
        string rowsFile = _data.PathOf(name + ".jsonl");
        TaskDataJsonl.Write(task, TaskReaders.ReadPiqa(WorkflowTestData.Piqa).Take(rows), rowsFile);
        return (taskFile, rowsFile);
    }

    private static JsonElement[] Templates(string evalFile) =>
        JsonDocument.Parse(File.ReadAllText(evalFile)).RootElement.GetProperty("templates").EnumerateArray().ToArray();

    [SharedFact]
    public void A_task_from_a_file_evaluates_exactly_as_the_built_in_task_with_the_same_fields()
    {
        string pool = _data.WritePool();
        (string taskFile, string rows) = WriteCustomPiqa("mypiqa", 5);
        string builtIn = _data.PathOf("builtin.json"), custom = _data.PathOf("custom.json");

        CliRunner.Result a = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "5", "--out", builtIn);
        CliRunner.Result b = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task-def", taskFile, "--data", rows,
            "--prompts", pool, "--out", custom);

        Assert.True(a.ExitCode == 0, a.Error);
        Assert.True(b.ExitCode == 0, b.Error);
        Assert.Equal(Templates(builtIn).Select(t => t.GetProperty("correct").GetInt32()), Templates(custom).Select(t => t.GetProperty("correct").GetInt32()));
        Assert.Equal(Templates(builtIn).Select(t => t.GetProperty("logLoss").GetDouble()), Templates(custom).Select(t => t.GetProperty("logLoss").GetDouble()));
        JsonElement root = JsonDocument.Parse(File.ReadAllText(custom)).RootElement;
        Assert.Equal("mypiqa", root.GetProperty("task").GetString());
        // Per-row data for paired comparisons: the labels, and each template's predictions agree with its correct count.
        int[] labels = root.GetProperty("labels").EnumerateArray().Select(l => l.GetInt32()).ToArray();
        Assert.Equal(TaskReaders.ReadPiqa(WorkflowTestData.Piqa).Take(5).Select(r => r.Label), labels);
        foreach (JsonElement t in Templates(custom))
            Assert.Equal(t.GetProperty("correct").GetInt32(),
                t.GetProperty("predicted").EnumerateArray().Select(p => p.GetInt32()).Zip(labels).Count(p => p.First == p.Second));
        // The same rows and templates read two ways have the same fingerprints, so compare pairs them.
        JsonElement builtInRun = JsonDocument.Parse(File.ReadAllText(builtIn)).RootElement.GetProperty("run");
        Assert.Equal(builtInRun.GetProperty("rowsSha256").GetString(), root.GetProperty("run").GetProperty("rowsSha256").GetString());
        Assert.Equal(builtInRun.GetProperty("templatesSha256").GetString(), root.GetProperty("run").GetProperty("templatesSha256").GetString());
        Assert.Equal(64, builtInRun.GetProperty("rowsSha256").GetString()!.Length);
        Assert.Equal(Path.GetFullPath(taskFile), root.GetProperty("run").GetProperty("taskDefinition").GetString());
    }

    [Fact]
    public void Task_and_task_def_together_or_neither_are_one_line_errors()
    {
        string pool = _data.WritePool();
        (string taskFile, string rows) = WriteCustomPiqa("mine", 2);
        string output = _data.PathOf("o.json");

        foreach (string command in new[] { "eval", "train" })
        {
            CliRunner.Result both = CliRunner.Run(command, "--model", _data.Folder, "--task", "piqa", "--task-def", taskFile, "--data", rows,
                "--prompts", pool, "--out", output);
            Assert.Equal(2, both.ExitCode);
            Assert.StartsWith("error: --task 'piqa' and --task-def ", both.Error);
            Assert.Single(both.Error.TrimEnd().Split('\n'));

            CliRunner.Result neither = CliRunner.Run(command, "--model", _data.Folder, "--data", rows, "--prompts", pool, "--out", output);
            Assert.Equal(2, neither.ExitCode);
            Assert.Contains("--task or --task-def is required", neither.Error);
            Assert.Single(neither.Error.TrimEnd().Split('\n'));
        }

        File.WriteAllText(taskFile, """{"format": "paft-task", "version": 1, "name": "x", "fields": ["goal", "sol1"], "optionFields": ["sol1", "sol3"]}""");
        CliRunner.Result bad = CliRunner.Run("eval", "--model", _data.Folder, "--task-def", taskFile, "--data", rows, "--prompts", pool, "--out", output);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains($"Task definition '{taskFile}', key 'optionFields[1]'", bad.Error);
        Assert.False(File.Exists(output));
    }

    [SharedFact]
    public void Max_length_cuts_the_context_or_fails_in_one_line_naming_row_and_template()
    {
        string pool = _data.WritePool();
        // Rows with a long goal (the context, which may be cut) and short options (which never are).
        var task = new TaskDefinition("longgoal", ["goal", "sol1", "sol2"], ["sol1", "sol2"]);
        string taskFile = _data.PathOf("longgoal.task.json");
        TaskDefinitionFile.Save(task, taskFile);
        string rows = _data.PathOf("longgoal.jsonl");
        string longGoal = string.Join(' ', Enumerable.Range(0, 120).Select(i => $"step{i} of keeping the bread fresh"));
        TaskDataJsonl.Write(task, Enumerable.Range(0, 3).Select(i => new TaskExample(
            new Dictionary<string, string> { ["goal"] = $"{i}: {longGoal}", ["sol1"] = "seal it", ["sol2"] = "wet it" }, i % 2)), rows);
        string cut = _data.PathOf("cut.json"), full = _data.PathOf("full.json"), none = _data.PathOf("none.json");

        CliRunner.Result wide = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task-def", taskFile, "--data", rows,
            "--prompts", pool, "--out", full);
        Assert.True(wide.ExitCode == 0, wide.Error);
        Assert.Equal("1024", JsonDocument.Parse(File.ReadAllText(full)).RootElement.GetProperty("run").GetProperty("maxLength").GetString());

        // 64 tokens hold every template with its options but not the goals: contexts are cut, the run completes, and the
        // log-likelihoods change (the prompts changed) while the counts stay those of the rows.
        CliRunner.Result narrow = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task-def", taskFile, "--data", rows,
            "--prompts", pool, "--max-length", "64", "--out", cut);
        Assert.True(narrow.ExitCode == 0, narrow.Error);
        JsonElement cutRoot = JsonDocument.Parse(File.ReadAllText(cut)).RootElement;
        Assert.Equal("64", cutRoot.GetProperty("run").GetProperty("maxLength").GetString());
        Assert.All(Templates(cut), t => Assert.Equal(3, t.GetProperty("count").GetInt32()));
        Assert.All(Templates(full).Zip(Templates(cut)),
            p => Assert.NotEqual(p.First.GetProperty("logLoss").GetDouble(), p.Second.GetProperty("logLoss").GetDouble()));

        // 8 tokens cannot hold a template even without its goal.
        CliRunner.Result tiny = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task-def", taskFile, "--data", rows,
            "--prompts", pool, "--max-length", "8", "--out", none);
        Assert.Equal(2, tiny.ExitCode);
        Assert.Single(tiny.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: Row longgoal.jsonl:1 (row 0) rendered with template 'goal-first' needs ", tiny.Error);
        Assert.Contains("(paft eval --max-length)", tiny.Error);
        Assert.DoesNotContain("   at ", tiny.Error);
        Assert.False(File.Exists(none));

        CliRunner.Result zero = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task-def", taskFile, "--data", rows,
            "--prompts", pool, "--max-length", "0", "--out", none);
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("--max-length must be at least 1", zero.Error);
    }

    [SharedFact]
    public void Train_with_a_prompt_that_cannot_fit_is_a_one_line_error()
    {
        string pool = _data.WritePool();
        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "2", "--batch-size", "2", "--epochs", "1", "--max-length", "8", "--out", _data.PathOf("m"));
        Assert.Equal(2, train.ExitCode);
        Assert.Single(train.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("error: Row valid.jsonl:1 (row 0) rendered with template '", train.Error);
        Assert.Contains("(paft train --max-length)", train.Error);
        Assert.Contains("rendered with template '", train.Error);
        Assert.DoesNotContain("   at ", train.Error);
    }

    [SharedFact]
    public void Train_and_eval_with_a_task_file_and_modes_checked_against_the_training_target()
    {
        string pool = _data.WritePool();
        (string taskFile, string rows) = WriteCustomPiqa("mypiqa", 4);
        string model = _data.PathOf("paft");
        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task-def", taskFile, "--data", rows,
            "--prompts", pool, "--batch-size", "2", "--epochs", "1", "--lr", "1e-2", "--out", model);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains($"--task-def {Path.GetFullPath(taskFile)}", train.Output);
        JsonObject manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "paft_model.json")))!.AsObject();
        Assert.Equal("mypiqa", (string)manifest["task"]!["name"]!);
        Assert.Equal("letter", (string)manifest["training"]!["answer_target"]!);
        Assert.Equal(Path.GetFullPath(taskFile), (string)JsonNode.Parse(File.ReadAllText(Path.Combine(model, "train_config.json")))!["taskDef"]!);

        string evalFile = _data.PathOf("e.json");
        CliRunner.Result eval = CliRunner.Run("eval", "--model", model, "--task-def", taskFile, "--data", rows, "--prompts", pool, "--out", evalFile);
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Equal("", eval.Error);

        // The built-in task of the same fields is another task: refused by name.
        CliRunner.Result builtIn = CliRunner.Run("eval", "--model", model, "--task", "piqa", "--data", WorkflowTestData.Piqa, "--prompts", pool,
            "--limit", "2", "--out", _data.PathOf("x.json"));
        Assert.Equal(2, builtIn.ExitCode);
        Assert.Contains("was trained for 'mypiqa'", builtIn.Error);

        // A letter-trained model scored by option text: a warning, and the evaluation runs.
        CliRunner.Result byText = CliRunner.Run("eval", "--model", model, "--task-def", taskFile, "--data", rows, "--prompts", pool,
            "--mode", "loglik-option", "--out", _data.PathOf("t.json"));
        Assert.True(byText.ExitCode == 0, byText.Error);
        Assert.StartsWith("warning: --mode loglik-option on the model in ", byText.Error);
        Assert.Contains("AnswerTarget.Letter", byText.Error);

        // Had it been trained on option text, letters are refused, naming the modes that work (generation is a warning).
        manifest["training"]!["answer_target"] = "option_text";
        File.WriteAllText(Path.Combine(model, "paft_model.json"), manifest.ToJsonString());
        foreach (string mode in new[] { "loglik" })
        {
            string refusedFile = _data.PathOf($"{mode}.json");
            CliRunner.Result refused = CliRunner.Run("eval", "--model", model, "--task-def", taskFile, "--data", rows, "--prompts", pool,
                "--mode", mode, "--out", refusedFile);
            Assert.Equal(2, refused.ExitCode);
            Assert.Single(refused.Error.TrimEnd().Split('\n'));
            Assert.StartsWith($"error: --mode {mode} on the model in ", refused.Error);
            Assert.Contains("--mode loglik-option or loglik-norm", refused.Error);
            Assert.False(File.Exists(refusedFile));
        }
    }
}
