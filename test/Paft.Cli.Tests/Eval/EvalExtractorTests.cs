using System.Text.Json;
using Paft.Cli.Tests.Prompts;
using Paft.Cli.Tests.Train;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Eval;

/// <summary><c>paft eval --mode generate</c> names the answer extraction in its file; likelihood modes do not.</summary>
public sealed class EvalExtractorTests : IDisposable
{
    private readonly WorkflowTestData _data = new();

    public void Dispose() => _data.Dispose();

    [SharedFact]
    public void Generation_mode_names_the_upstream_extractor_and_likelihood_mode_names_none()
    {
        string pool = _data.WritePool();
        string generated = _data.PathOf("generate.json");
        string scored = _data.PathOf("loglik.json");

        CliRunner.Result generate = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "2", "--mode", "generate", "--out", generated);
        CliRunner.Result loglik = CliRunner.Run("eval", "--model", WorkflowTestData.Model, "--task", "piqa", "--data", WorkflowTestData.Piqa,
            "--prompts", pool, "--limit", "2", "--out", scored);

        Assert.True(generate.ExitCode == 0, generate.Error);
        Assert.True(loglik.ExitCode == 0, loglik.Error);
        using JsonDocument generatedJson = JsonDocument.Parse(File.ReadAllText(generated));
        Assert.Equal("opencompass first_option_postprocess @ 98242ff1", generatedJson.RootElement.GetProperty("extractor").GetString());
        using JsonDocument scoredJson = JsonDocument.Parse(File.ReadAllText(scored));
        Assert.False(scoredJson.RootElement.TryGetProperty("extractor", out _));
    }
}
