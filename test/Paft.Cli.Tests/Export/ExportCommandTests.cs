using System.Text.Json;
using Paft.Cli.Commands;
using Paft.Cli.Export;
using Paft.Cli.Reporting;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;
using Paft.Llama.Training;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Export;

public sealed class ExportCommandTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private static JsonElement[] JsonLines(string path) =>
        File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement).ToArray();

    [SharedFact]
    public void ExportedRowsAndTemplates_EqualWhatPaftTrainTrainsOn_ForTheSameSettings()
    {
        string pool = _data.WritePool();
        string model = _data.PathOf("paft");
        // 8 rows, batch 2: 4 steps an epoch, 2 epochs, K 2: 2 draws an epoch.
        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "8", "--batch-size", "2", "--epochs", "2", "--k", "2", "--seed", "1", "--lr", "1e-3", "--out", model);
        Assert.True(train.ExitCode == 0, train.Error);

        // The export reads the run's own settings file back, as a user would.
        string exported = _data.PathOf("export");
        CliRunner.Result export = CliRunner.Run("export", "--config", Path.Combine(model, TrainCommandRunner.ConfigFileName), "--out", exported);
        Assert.True(export.ExitCode == 0, export.Error);

        JsonElement[] stream = JsonLines(Path.Combine(exported, TrainingStreamExport.FileName));
        TrainingLogEntry[] steps = TrainingLog.Load(Path.Combine(model, TrainingLog.FileName)).Entries.ToArray();
        Assert.Equal(16, stream.Length);
        Assert.Equal(8, steps.Length);
        // Template by template: every exported row of step s carries the template paft train logged for step s.
        foreach (TrainingLogEntry step in steps)
        {
            JsonElement[] ofStep = stream.Where(r => r.GetProperty("step").GetInt32() == step.Step).ToArray();
            Assert.Equal(2, ofStep.Length);
            Assert.All(ofStep, r => Assert.Equal(step.TemplateIds, r.GetProperty("template_id").GetString()));
            Assert.All(ofStep, r => Assert.Equal(step.Epoch, r.GetProperty("epoch").GetInt32()));
        }

        // Row by row: each epoch visits the rows in the engine's seeded shuffle, and the prompt and answer are the row's.
        TaskDefinition task = TaskDefinition.Piqa;
        IReadOnlyList<TaskExample> rows = TrainCommandInputs.Rows(task, WorkflowTestData.Piqa, 8, "--data");
        PromptPool templates = TrainCommandInputs.Pool(pool, task, escapedNewlines: false);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            JsonElement[] ofEpoch = stream.Where(r => r.GetProperty("epoch").GetInt32() == epoch).ToArray();
            Assert.Equal(Enumerable.Range(0, 8), ofEpoch.Select(r => r.GetProperty("position").GetInt32()));
            Assert.Equal(EpochShuffle.Order(8, 1, epoch), ofEpoch.Select(r => r.GetProperty("row").GetInt32()));
            foreach (JsonElement r in ofEpoch)
            {
                TaskExample row = rows[r.GetProperty("row").GetInt32()];
                Assert.True(templates.TryGet(r.GetProperty("template_id").GetString()!, out PromptPoolEntry? entry));
                Assert.Equal(entry.Template.Render(row.Fields), r.GetProperty("prompt").GetString());
                Assert.Equal(" " + task.AnswerLabels[row.Label], r.GetProperty("completion").GetString());
                Assert.Equal(row.Source, r.GetProperty("source").GetString());
            }
        }
    }

    [SharedFact]
    public void LlamaFactoryAndTrlFiles_FollowTheirSchemas_AndHoldTheStreamInOrder()
    {
        string exported = _data.PathOf("export");
        CliRunner.Result export = CliRunner.Run("export", "--task", "piqa", "--data", WorkflowTestData.Piqa, "--prompts", _data.WritePool(),
            "--limit", "6", "--batch-size", "2", "--grad-accum", "2", "--k", "3", "--epochs", "3", "--lr", "2e-4", "--max-length", "512",
            "--lora-r", "4", "--lora-alpha", "8", "--lora-targets", "q_proj,k_proj,v_proj", "--seed", "5", "--model", "meta-llama/Llama-3.2-1B", "--out", exported);
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains("6 rows are not a multiple of 4 rows a step", export.Output);
        JsonElement[] stream = JsonLines(Path.Combine(exported, TrainingStreamExport.FileName));
        Assert.Equal(18, stream.Length);

        // dataset_info.json: one alpaca entry whose columns name the data file's keys.
        string folder = Path.Combine(exported, LlamaFactoryExport.Folder);
        JsonElement info = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "dataset_info.json"))).RootElement;
        JsonElement entry = Assert.Single(info.EnumerateObject()).Value;
        Assert.Equal("paft_train", info.EnumerateObject().Single().Name);
        Assert.Equal("alpaca", entry.GetProperty("formatting").GetString());
        JsonElement columns = entry.GetProperty("columns");
        string prompt = columns.GetProperty("prompt").GetString()!, query = columns.GetProperty("query").GetString()!, response = columns.GetProperty("response").GetString()!;
        JsonElement[] data = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, entry.GetProperty("file_name").GetString()!))).RootElement.EnumerateArray().ToArray();
        Assert.Equal(stream.Length, data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            Assert.Equal([prompt, query, response], data[i].EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(stream[i].GetProperty("prompt").GetString(), data[i].GetProperty(prompt).GetString());
            Assert.Equal("", data[i].GetProperty(query).GetString());
            Assert.Equal(stream[i].GetProperty("completion").GetString(), data[i].GetProperty(response).GetString());
        }

        // The training YAML: the dataset above, unshuffled, one pass, with the run's LoRA, schedule, batch and length.
        Dictionary<string, string> yaml = File.ReadAllLines(Path.Combine(folder, LlamaFactoryExport.TrainingYamlFile))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(": ", 2))
            .ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("sft", yaml["stage"]);
        Assert.Equal("lora", yaml["finetuning_type"]);
        Assert.Equal("\"meta-llama/Llama-3.2-1B\"", yaml["model_name_or_path"]);
        Assert.Equal("4", yaml["lora_rank"]);
        Assert.Equal("8", yaml["lora_alpha"]);
        Assert.Equal("q_proj,k_proj,v_proj", yaml["lora_target"]);
        Assert.Equal("paft_train", yaml["dataset"]);
        Assert.Equal(JsonSerializer.Serialize(Path.GetFullPath(folder)), yaml["dataset_dir"]);
        Assert.Equal("512", yaml["cutoff_len"]);
        Assert.Equal("true", yaml["disable_shuffling"]);
        Assert.Equal("2", yaml["per_device_train_batch_size"]);
        Assert.Equal("2", yaml["gradient_accumulation_steps"]);
        Assert.Equal("0.0002", yaml["learning_rate"]);
        Assert.Equal("1.0", yaml["num_train_epochs"]);
        Assert.Equal("cosine", yaml["lr_scheduler_type"]);
        Assert.Equal("0.1", yaml["warmup_ratio"]);
        Assert.Equal("5", yaml["seed"]);

        // TRL: prompt-completion JSONL, the same rows in the same order.
        JsonElement[] trl = JsonLines(Path.Combine(exported, TrlExport.Folder, TrlExport.FileName));
        Assert.Equal(stream.Select(r => (r.GetProperty("prompt").GetString(), r.GetProperty("completion").GetString())),
            trl.Select(r => (r.GetProperty("prompt").GetString(), r.GetProperty("completion").GetString())));
        Assert.All(trl, r => Assert.Equal(["prompt", "completion"], r.EnumerateObject().Select(p => p.Name).ToArray()));

        // K = 3 steps of 4 rows: the draw changes only at positions that are multiples of 12 (here: never within an epoch of 6 rows).
        foreach (IGrouping<int, JsonElement> epoch in stream.GroupBy(r => r.GetProperty("epoch").GetInt32()))
            Assert.Single(epoch.Select(r => r.GetProperty("template_id").GetString()).Distinct());
    }

    [Fact]
    public void AnSftSettingsFile_IsRefusedWithOneLine()
    {
        string config = _data.PathOf("sft.json");
        File.WriteAllText(config, """{"task":"piqa","data":"d.jsonl","prompts":"p.jsonl","templateId":"x"}""");
        CliRunner.Result export = CliRunner.Run("export", "--config", config, "--out", _data.PathOf("e"));
        Assert.Equal(2, export.ExitCode);
        Assert.Contains("paft export writes PAFT's stream over the whole pool", export.Error);
    }
}
