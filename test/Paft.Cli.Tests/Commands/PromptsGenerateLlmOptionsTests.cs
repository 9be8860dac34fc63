using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Paft.Cli.Commands;
using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Tests.Commands;

public sealed class PromptsGenerateLlmOptionsTests
{
    private static (PromptsGenerateLlmOptions Options, ParseResult Result) Parse(params string[] args)
    {
        var options = new PromptsGenerateLlmOptions();
        var command = new RootCommand("test");
        options.AddTo(command);
        return (options, command.Parse(args));
    }

    [Fact]
    public void Matches_per_endpoint_options_by_position_and_shares_single_ones()
    {
        (PromptsGenerateLlmOptions options, ParseResult result) = Parse(
            "--endpoint", "http://127.0.0.1:8000/v1", "--endpoint", "http://127.0.0.1:11434",
            "--model", "small", "--model", "llama3.1:8b", "--kind", "openai", "--kind", "ollama", "--api-key-env", "MY_KEY");
        Assert.Empty(result.Errors);
        Assert.True(options.IsRequested(result));

        IReadOnlyList<LlmClientSettings> settings = options.ReadClientSettings(result);
        Assert.Equal(
            [(LlmClientKind.OpenAI, "http://127.0.0.1:8000/v1", "small", "MY_KEY"), (LlmClientKind.Ollama, "http://127.0.0.1:11434/", "llama3.1:8b", "MY_KEY")],
            settings.Select(s => (s.Kind, s.Endpoint!.ToString(), s.Model, s.ApiKeyEnvironmentVariable!)));
        Assert.All(settings, s => Assert.Null(s.ApiKey));
    }

    [Fact]
    public void Without_an_endpoint_llm_generation_is_not_requested()
    {
        (PromptsGenerateLlmOptions options, ParseResult result) = Parse();
        Assert.False(options.IsRequested(result));
    }

    [Theory]
    [InlineData("--model", new[] { "--endpoint", "http://127.0.0.1:1/v1", "--endpoint", "http://127.0.0.1:2/v1", "--endpoint", "http://127.0.0.1:3/v1", "--model", "a", "--model", "b" })]
    [InlineData("--api-key-env", new[] { "--endpoint", "http://127.0.0.1:1/v1", "--model", "a", "--api-key-env", "A", "--api-key-env", "B" })]
    [InlineData("'not a url'", new[] { "--endpoint", "not a url", "--model", "a" })]
    [InlineData("Give --model", new[] { "--endpoint", "http://127.0.0.1:1/v1" })]
    public void Reports_inconsistent_options_by_name(string expected, string[] args)
    {
        (PromptsGenerateLlmOptions options, ParseResult result) = Parse(args);
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => options.ReadClientSettings(result)).Message);
    }

    [Fact]
    public void Rejects_an_unknown_kind_at_parse_time()
    {
        (_, ParseResult result) = Parse("--endpoint", "http://127.0.0.1:1/v1", "--model", "a", "--kind", "grpc");
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void Reads_generator_options_and_few_shot_examples()
    {
        string file = Path.Combine(Path.GetTempPath(), "paft-examples-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllLines(file, ["Goal: {goal}\\nA. {sol1}\\nB. {sol2}", "", "  {goal} {sol1} {sol2}  "]);
        try
        {
            (PromptsGenerateLlmOptions options, ParseResult result) = Parse(
                "--endpoint", "http://127.0.0.1:1/v1", "--model", "a", "--requests", "3", "--per-request", "7",
                "--temperature", "0.5", "--no-cache", "--examples", file);
            LlmTemplateGeneratorOptions generatorOptions = options.ReadGeneratorOptions(result, logger: null);
            Assert.Equal((3, 7, 0.5f), (generatorOptions.RequestsPerClient, generatorOptions.TemplatesPerRequest, generatorOptions.Temperature!.Value));
            Assert.Null(generatorOptions.CacheDirectory);
            Assert.Equal(["Goal: {goal}\nA. {sol1}\nB. {sol2}", "{goal} {sol1} {sol2}"], generatorOptions.FewShotExamples);

            (options, result) = Parse("--endpoint", "http://127.0.0.1:1/v1", "--model", "a");
            Assert.Equal(Path.Combine(".paft-cache", "llm"), options.ReadGeneratorOptions(result, null).CacheDirectory);
        }
        finally
        {
            File.Delete(file);
        }
        Assert.Contains(file, Assert.Throws<FileNotFoundException>(() => PromptsGenerateLlmOptions.ReadExamples(file)).Message);
    }

    [Fact]
    public async Task A_run_against_an_unreachable_loopback_port_reports_the_failure_without_the_key()
    {
        // A port that was free a moment ago: connecting is refused at once, and nothing leaves the machine.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        string secret = "sk-cli-" + Guid.NewGuid().ToString("N");
        string variable = "PAFT_CLI_TEST_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            (PromptsGenerateLlmOptions options, ParseResult result) = Parse(
                "--endpoint", $"http://127.0.0.1:{port}/v1", "--model", "m", "--api-key-env", variable, "--requests", "1", "--max-retries", "0", "--no-cache");
            var output = new StringWriter();
            var log = new StringWriter();

            LlmGenerationResult generation = await options.RunAsync(result, TaskDefinition.Piqa, output, log, CancellationToken.None);

            Assert.Empty(generation.Accepted);
            Assert.Equal(1, Assert.Single(generation.UsageByClient).Value.HttpCalls);
            Assert.Single(generation.Failures);
            Assert.Contains("0 accepted, 0 rejected, 1 request(s) failed; 1 HTTP call(s), 0 cache hit(s)", output.ToString());
            Assert.Contains("failed: openai:m@127.0.0.1:" + port + " request 0", output.ToString());
            Assert.Contains("error:", log.ToString());
            Assert.DoesNotContain(secret, output.ToString() + log.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
