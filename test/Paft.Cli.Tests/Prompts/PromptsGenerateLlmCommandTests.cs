using System.Text.Json;
using Paft.Cli.Commands;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tests.PromptGeneration;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Prompts;

/// <summary><c>paft prompts generate --endpoint ...</c> end to end against a real HTTP server on loopback.</summary>
public sealed class PromptsGenerateLlmCommandTests : IDisposable
{
    private const string GoodA = "Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:";
    private const string GoodB = "Which solution reaches the goal \"{goal}\"? A) {sol1} B) {sol2} Answer:";
    private const string GoodC = "{goal}\nOption A: {sol1}\nOption B: {sol2}\nPick A or B. Answer:";
    private const string MissingSol2 = "Goal: {goal}\nA. {sol1}\nAnswer:";
    private const string UnknownField = "Goal: {goal}\nA. {sol1}\nB. {sol2}\nHint: {hint}\nAnswer:";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string JsonArray(params string[] templates) => JsonSerializer.Serialize(templates);

    [Fact]
    public async Task Writes_a_valid_pool_and_never_the_api_key()
    {
        string secret = "sk-paft-cli-" + Guid.NewGuid().ToString("N");
        string variable = "PAFT_CLI_LLM_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        // Both requests get the same reply (requests run concurrently, so arrival order says nothing):
        // three valid distinct templates, two invalid ones and a repeat; the second reply adds only duplicates.
        await using var server = LoopbackLlmServer.Start((request, n) =>
            ScriptedResponse.Chat(request, JsonArray(GoodA, MissingSol2, GoodB, UnknownField, GoodB, GoodC)));
        string pool = _temp.File("pool.jsonl");
        string cache = _temp.File("cache");
        Environment.SetEnvironmentVariable(variable, secret);
        CliRunner.Result result;
        try
        {
            result = CliRunner.Run("prompts", "generate", "--task", "piqa", "--endpoint", server.OpenAIEndpoint.ToString(), "--model", "m",
                "--count", "3", "--out", pool, "--api-key-env", variable, "--requests", "2", "--per-request", "4",
                "--cache-dir", cache);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, server.RequestCount);
        // The key went to the server, and nowhere else.
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + secret, r.Headers["Authorization"]));
        Assert.DoesNotContain(secret, result.Output + result.Error);
        foreach (string file in Directory.GetFiles(_temp.Path, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(secret, File.ReadAllText(file));
        Assert.NotEmpty(Directory.GetFiles(cache, "*", SearchOption.AllDirectories));

        // The pool: the three distinct valid templates in reply order, invalid ones and the repeat left out.
        PromptPool written = PromptPool.Load(pool);
        Assert.Equal([GoodA, GoodB, GoodC], written.Select(e => e.Template.Text));
        Assert.Empty(written.Validate(TaskDefinition.Piqa));
        string client = PromptsGenerateCommand.IdPart($"openai:m@127.0.0.1:{server.BaseUri.Port}");
        Assert.Equal([$"llm-{client}-1", $"llm-{client}-2", $"llm-{client}-3"], written.Select(e => e.Id));
        Assert.Matches("^llm-[A-Za-z0-9._-]+-1$", written[0].Id);
        Assert.All(written, e => Assert.Equal("llm", e.Metadata["source"]));
        Assert.All(written, e => Assert.Equal("0", e.Metadata["request"]));
        Assert.Contains("3 accepted, 9 rejected", result.Output);
        Assert.Contains($"Wrote 3 templates for task 'piqa' to {pool}", result.Output);
        Assert.Equal("", result.Error);
        Assert.Equal(0, CliRunner.Run("prompts", "validate", "--task", "piqa", "--prompts", pool).ExitCode);

        // A rerun is served from the cache: no new request, the same pool.
        CliRunner.Result again = CliRunner.Run("prompts", "generate", "--task", "piqa", "--endpoint", server.OpenAIEndpoint.ToString(), "--model", "m",
            "--count", "2", "--out", _temp.File("again.jsonl"), "--requests", "2", "--per-request", "4", "--cache-dir", cache);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(2, server.RequestCount);
        Assert.Equal([GoodA, GoodB], PromptPool.Load(_temp.File("again.jsonl")).Select(e => e.Template.Text));
    }

    [Fact]
    public async Task Fewer_templates_than_asked_is_a_warning_and_none_is_an_error_that_writes_nothing()
    {
        await using var server = LoopbackLlmServer.Start((request, n) => n == 1
            ? ScriptedResponse.Chat(request, JsonArray(GoodA))
            : ScriptedResponse.Chat(request, JsonArray(MissingSol2)));
        string[] Args(string output, int count) =>
            ["prompts", "generate", "--task", "piqa", "--endpoint", server.OpenAIEndpoint.ToString(), "--model", "m",
             "--count", count.ToString(), "--out", output, "--requests", "1", "--no-cache"];

        CliRunner.Result few = CliRunner.Run(Args(_temp.File("few.jsonl"), 5));
        Assert.Equal(0, few.ExitCode);
        Assert.Contains("warning: only 1 of the 5 templates", few.Error);
        Assert.Equal([GoodA], PromptPool.Load(_temp.File("few.jsonl")).Select(e => e.Template.Text));

        CliRunner.Result none = CliRunner.Run(Args(_temp.File("none.jsonl"), 5));
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no valid template", none.Error);
        Assert.Contains("missing", none.Output, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(_temp.File("none.jsonl")));
    }

    [Fact]
    public void The_validator_is_the_template_check_of_the_task()
    {
        Assert.Empty(PromptsGenerateCommand.ValidateTemplate(GoodA, TaskDefinition.Piqa));
        Assert.Contains("sol2", Assert.Single(PromptsGenerateCommand.ValidateTemplate(MissingSol2, TaskDefinition.Piqa)));
        Assert.Contains("hint", Assert.Single(PromptsGenerateCommand.ValidateTemplate(UnknownField, TaskDefinition.Piqa)));
        Assert.NotEmpty(PromptsGenerateCommand.ValidateTemplate("Goal: {goal {sol1} {sol2}", TaskDefinition.Piqa));
        Assert.Equal("openai-gpt-4o-api.openai.com", PromptsGenerateCommand.IdPart("openai:gpt-4o@api.openai.com"));
    }
}
