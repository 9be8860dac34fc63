using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;

namespace Paft.MLNet.Tests.PromptGeneration;

public sealed class LlmClientFactoryTests
{
    [Fact]
    public void The_key_comes_from_the_options_before_the_environment()
    {
        string variable = "PAFT_TEST_FACTORY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            Assert.Equal("given", LlmClientFactory.ResolveApiKey(new LlmClientSettings { ApiKey = "given", ApiKeyEnvironmentVariable = variable }));
            Assert.Equal("from-env", LlmClientFactory.ResolveApiKey(new LlmClientSettings { ApiKeyEnvironmentVariable = variable }));
            Assert.Null(LlmClientFactory.ResolveApiKey(new LlmClientSettings()));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_missing_key_variable_is_named_in_the_error()
    {
        string variable = "PAFT_TEST_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var e = Assert.Throws<InvalidOperationException>(() => LlmClientFactory.Create(new LlmClientSettings
        {
            Endpoint = new Uri("http://127.0.0.1:9/v1"),
            Model = "m",
            ApiKeyEnvironmentVariable = variable,
        }));
        Assert.Contains(variable, e.Message);
    }

    [Theory]
    [InlineData(LlmClientKind.OpenAI, "openai:small@127.0.0.1:9")]
    [InlineData(LlmClientKind.Ollama, "ollama:small@127.0.0.1:9")]
    public void Names_a_client_by_kind_model_and_host(LlmClientKind kind, string expected)
    {
        using LlmClient client = LlmClientFactory.Create(new LlmClientSettings { Kind = kind, Endpoint = new Uri("http://127.0.0.1:9/v1"), Model = "small" });
        Assert.Equal(expected, client.Name);
        Assert.Equal("small", client.Model);
        Assert.Null(client.Secret);
    }

    [Fact]
    public void Rejects_settings_without_endpoint_or_model_or_with_a_non_http_endpoint()
    {
        Assert.Contains("endpoint", Assert.Throws<ArgumentException>(() => LlmClientFactory.Create(new LlmClientSettings { Model = "m" })).Message);
        Assert.Contains("model", Assert.Throws<ArgumentException>(() => LlmClientFactory.Create(new LlmClientSettings { Endpoint = new Uri("http://127.0.0.1:9") })).Message);
        Assert.Contains("http", Assert.Throws<ArgumentException>(() => LlmClientFactory.Create(new LlmClientSettings { Endpoint = new Uri("file:///tmp/x"), Model = "m" })).Message);
    }
}
