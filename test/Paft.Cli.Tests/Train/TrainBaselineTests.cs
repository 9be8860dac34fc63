using System.Text.Json;
using Paft.Cli.Tests.Prompts;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

public sealed class TrainBaselineTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    private string WriteValidation(int rows) => _data.WriteValidation(rows);

    private static JsonElement Manifest(string model) => JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "paft_model.json"))).RootElement;

    [SharedFact]
    public void TopAccuracy_TrainsOnTheTemplateTheBaseModelDoesBestOn()
    {
        string pool = _data.WritePool();
        string validation = WriteValidation(6);

        // What the base model scores on the validation rows under each template: the baseline must pick the best (first on ties).
        CliRunner.Result baseEval = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", validation,
            "--prompts", pool, "--out", _data.PathOf("base.json"));
        Assert.True(baseEval.ExitCode == 0, baseEval.Error);
        JsonElement[] templates = JsonDocument.Parse(File.ReadAllText(_data.PathOf("base.json"))).RootElement.GetProperty("templates").EnumerateArray().ToArray();
        double best = templates.Max(t => t.GetProperty("accuracy").GetDouble());
        string expected = templates.First(t => t.GetProperty("accuracy").GetDouble() == best).GetProperty("id").GetString()!;

        string model = _data.PathOf("top");
        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "2", "--batch-size", "2", "--epochs", "1", "--top-accuracy", "--validation", validation, "--out", model);

        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains($"TopAccuracy SFT on template '{expected}'", train.Output);
        JsonElement manifest = Manifest(model);
        Assert.Equal(expected, manifest.GetProperty("inference_template").GetProperty("id").GetString());
        Assert.Equal([expected], manifest.GetProperty("training").GetProperty("training_template_ids").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    /// <summary>The base model's accuracy on the validation rows under each pool template, as `paft eval` measures it.</summary>
    private Dictionary<string, double> BaseAccuracies(string pool, string validation)
    {
        CliRunner.Result baseEval = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", validation,
            "--prompts", pool, "--out", _data.PathOf("base.json"));
        Assert.True(baseEval.ExitCode == 0, baseEval.Error);
        return JsonDocument.Parse(File.ReadAllText(_data.PathOf("base.json"))).RootElement.GetProperty("templates").EnumerateArray()
            .ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("accuracy").GetDouble());
    }

    /// <summary>The template id quoted after <paramref name="prefix"/> in the output.</summary>
    private static string ChosenId(string output, string prefix)
    {
        int start = output.IndexOf(prefix, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{prefix}' not in the output:\n{output}");
        start += prefix.Length;
        return output[start..output.IndexOf('\'', start)];
    }

    private static JsonElement TrainConfig(string model) => JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "train_config.json"))).RootElement;

    [SharedFact]
    public void Zopo_TrainsOnTheTemplateItsSearchChose_WithinTheBudget()
    {
        string pool = _data.WritePool();
        string validation = WriteValidation(6);
        Dictionary<string, double> accuracies = BaseAccuracies(pool, validation);

        string model = _data.PathOf("zopo");
        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "2", "--batch-size", "2", "--epochs", "1", "--zopo", "--zopo-budget", "2", "--validation", validation, "--out", model);

        Assert.True(train.ExitCode == 0, train.Error);
        string chosen = ChosenId(train.Output, "ZOPO SFT on template '");
        Assert.Contains(chosen, WorkflowTestData.PoolIds);
        // The budget caps the evaluations, and the accuracy reported is the base model's on the chosen template.
        Assert.Contains(FormattableString.Invariant($"(2 of 3 templates evaluated, best validation accuracy {100 * accuracies[chosen]:F1}%)"), train.Output);
        JsonElement manifest = Manifest(model);
        Assert.Equal(chosen, manifest.GetProperty("inference_template").GetProperty("id").GetString());
        Assert.Equal([chosen], manifest.GetProperty("training").GetProperty("training_template_ids").EnumerateArray().Select(e => e.GetString()!).ToArray());
        JsonElement config = TrainConfig(model);
        Assert.True(config.GetProperty("zopo").GetBoolean());
        Assert.Equal(2, config.GetProperty("zopoBudget").GetInt32());
        Assert.False(config.GetProperty("batprompt").GetBoolean());
        // Without --embedding-endpoint, the base model's hidden states place the templates, and the record says so.
        Assert.Contains("ZOPO: the templates are embedded by the base model's hidden states.", train.Output);
        Assert.Equal("base model hidden states", config.GetProperty("chosenTemplate").GetProperty("embedder").GetString());
        Assert.Equal(JsonValueKind.Null, config.GetProperty("embeddingEndpoint").ValueKind);
    }

    [SharedFact]
    public void Batprompt_TrainsOnTheTemplateThatDropsLeastUnderNoise()
    {
        string pool = _data.WritePool();
        string validation = WriteValidation(6);
        Dictionary<string, double> accuracies = BaseAccuracies(pool, validation);

        string model = _data.PathOf("batprompt");
        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "2", "--batch-size", "2", "--epochs", "1", "--batprompt", "--validation", validation, "--out", model);

        Assert.True(train.ExitCode == 0, train.Error);
        string chosen = ChosenId(train.Output, "BATprompt SFT on template '");
        Assert.Contains(chosen, WorkflowTestData.PoolIds);
        Assert.Contains(FormattableString.Invariant($"least drop under input noise of 3 templates: clean {100 * accuracies[chosen]:F1}%, perturbed "), train.Output);
        JsonElement manifest = Manifest(model);
        Assert.Equal(chosen, manifest.GetProperty("inference_template").GetProperty("id").GetString());
        Assert.Equal([chosen], manifest.GetProperty("training").GetProperty("training_template_ids").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.True(TrainConfig(model).GetProperty("batprompt").GetBoolean());
    }

    [SharedFact]
    public void TemplateId_TrainsOnThatTemplateOnly_AndAnUnknownIdIsAnInputError()
    {
        string pool = _data.WritePool();
        string model = _data.PathOf("sft");
        string id = WorkflowTestData.PoolIds[1];

        CliRunner.Result train = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "2", "--batch-size", "2", "--epochs", "1", "--template-id", id, "--out", model);

        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Equal([id], Manifest(model).GetProperty("training").GetProperty("training_template_ids").EnumerateArray().Select(e => e.GetString()!).ToArray());

        CliRunner.Result unknown = CliRunner.Run("train", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "2", "--template-id", "nope", "--out", _data.PathOf("other"));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("'nope'", unknown.Error);
        Assert.False(Directory.Exists(_data.PathOf("other")));
    }
}
