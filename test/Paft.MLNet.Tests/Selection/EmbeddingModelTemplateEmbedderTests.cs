using Microsoft.Extensions.AI;
using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tests.PromptGeneration;

namespace Paft.MLNet.Tests.Selection;

/// <summary>The sentence-embedding template embedder against the loopback server speaking OpenAI's and Ollama's embeddings APIs.</summary>
public class EmbeddingModelTemplateEmbedderTests
{
    private static string[] Templates(int count) =>
        Enumerable.Range(0, count).Select(i => $"Template {i}.\nGoal: {{goal}}\nA. {{sol1}}\nB. {{sol2}}\nAnswer:").ToArray();

    private static EmbeddingModelTemplateEmbedder Embedder(LoopbackLlmServer server, LlmClientKind kind = LlmClientKind.OpenAI,
        int batchSize = EmbeddingModelTemplateEmbedder.DefaultBatchSize, string? keyVariable = null) =>
        LlmClientFactory.CreateTemplateEmbedder(new LlmClientSettings
        {
            Kind = kind,
            Endpoint = kind == LlmClientKind.OpenAI ? server.OpenAIEndpoint : server.BaseUri,
            Model = "embed-model",
            ApiKeyEnvironmentVariable = keyVariable,
        }, batchSize);

    private static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));

    [Theory]
    [InlineData(LlmClientKind.OpenAI, "/v1/embeddings")]
    [InlineData(LlmClientKind.Ollama, "/api/embed")]
    public async Task APoolOf100_IsTwoRequests_InOrder_AndEveryVectorIsTheModelsDirectionAtUnitLength(LlmClientKind kind, string path)
    {
        await using var server = LoopbackLlmServer.Start((request, _) => ScriptedResponse.Embeddings(request, t => ScriptedResponse.HashVector(t)));
        using EmbeddingModelTemplateEmbedder embedder = Embedder(server, kind);
        string[] templates = Templates(100);

        IReadOnlyList<float[]> vectors = embedder.EmbedAll(templates);

        Assert.Equal(2, server.RequestCount);
        Assert.Equal(2, embedder.RequestCount);
        RecordedRequest[] requests = server.Requests.ToArray();
        Assert.All(requests, r => Assert.Equal(path, r.Path));
        Assert.All(requests, r => Assert.Equal("embed-model", r.Json.GetProperty("model").GetString()));
        Assert.Equal(templates, requests.SelectMany(ScriptedResponse.EmbeddingInputs));
        Assert.Equal([64, 36], requests.Select(r => ScriptedResponse.EmbeddingInputs(r).Count));
        Assert.Equal(100, vectors.Count);
        for (int i = 0; i < templates.Length; i++)
        {
            float[] raw = ScriptedResponse.HashVector(templates[i]);
            Assert.Equal(1.0, Norm(vectors[i]), 5);
            double norm = Norm(raw);
            Assert.All(Enumerable.Range(0, raw.Length), d => Assert.Equal(raw[d] / norm, vectors[i][d], 5));
        }
        Assert.Equal($"{kind.ToString().ToLowerInvariant()}:embed-model@{server.BaseUri.Authority}", embedder.Name);
    }

    [Fact]
    public async Task AServerThatAnswersFloats_WhereBase64WasAsked_IsReadAlike()
    {
        await using var server = LoopbackLlmServer.Start((request, _) => ScriptedResponse.Embeddings(request,
            ScriptedResponse.EmbeddingInputs(request).Select(t => ScriptedResponse.HashVector(t)).ToArray(), floatsOnly: true));
        using EmbeddingModelTemplateEmbedder embedder = Embedder(server);
        string template = Templates(1)[0];

        float[] vector = embedder.Embed(template);

        float[] raw = ScriptedResponse.HashVector(template);
        Assert.All(Enumerable.Range(0, raw.Length), d => Assert.Equal(raw[d] / Norm(raw), vector[d], 5));
    }

    [Fact]
    public async Task EmbedOne_IsOneRequest_AndTheSameVectorAsInABatch()
    {
        await using var server = LoopbackLlmServer.Start((request, _) => ScriptedResponse.Embeddings(request, t => ScriptedResponse.HashVector(t)));
        using EmbeddingModelTemplateEmbedder embedder = Embedder(server, batchSize: 3);
        string[] templates = Templates(3);

        float[] one = embedder.Embed(templates[1]);
        IReadOnlyList<float[]> all = embedder.EmbedAll(templates);

        Assert.Equal(2, server.RequestCount);
        Assert.Equal(all[1], one);
    }

    private static readonly Dictionary<string, (Func<RecordedRequest, IReadOnlyList<string>, ScriptedResponse> Reply, string Expected)> BadReplies = new()
    {
        ["wrong count"] = ((r, inputs) => ScriptedResponse.Embeddings(r, inputs.Skip(1).Select(_ => new float[] { 1, 2 }).ToArray()),
            "returned 2 vector(s) for 3 templates (the first: 'Template 0. Goal: {goal} A. {sol1} B. {sol2} Answer:')"),
        ["empty vector"] = ((r, inputs) => ScriptedResponse.Embeddings(r, inputs.Select((_, i) => i == 1 ? new float[0] : [1f, 2f]).ToArray()),
            "returned an empty vector for template 'Template 1. Goal: {goal} A. {sol1} B. {sol2} Answer:'"),
        ["different lengths"] = ((r, inputs) => ScriptedResponse.Embeddings(r, inputs.Select((_, i) => i == 2 ? new float[] { 1, 2, 3 } : [1f, 2f]).ToArray()),
            "returned 3 values for template 'Template 2. Goal: {goal} A. {sol1} B. {sol2} Answer:' but 2 for 'Template 0."),
        ["all zero"] = ((r, inputs) => ScriptedResponse.Embeddings(r, inputs.Select((_, i) => i == 0 ? new float[] { 0, 0 } : [1f, 2f]).ToArray()),
            "returned an all-zero vector for template 'Template 0."),
        ["error status"] = ((_, _) => ScriptedResponse.Error(400, body: "{\"error\":{\"message\":\"no such model\"}}"),
            "could not embed 3 templates (the first: 'Template 0. Goal: {goal} A. {sol1} B. {sol2} Answer:'): "),
    };

    [Theory]
    [InlineData("wrong count")]
    [InlineData("empty vector")]
    [InlineData("different lengths")]
    [InlineData("all zero")]
    [InlineData("error status")]
    public async Task ABadReply_IsAnErrorNamingTheModelAndTheTemplate(string what)
    {
        (Func<RecordedRequest, IReadOnlyList<string>, ScriptedResponse> reply, string expected) = BadReplies[what];
        await using var server = LoopbackLlmServer.Start((request, _) => reply(request, ScriptedResponse.EmbeddingInputs(request)));
        using EmbeddingModelTemplateEmbedder embedder = Embedder(server);

        var error = Assert.ThrowsAny<InvalidOperationException>(() => embedder.EmbedAll(Templates(3)));

        Assert.StartsWith($"The embedding model openai:embed-model@{server.BaseUri.Authority} ", error.Message);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {error.Message}");
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task VectorsOfAnotherLength_InALaterBatch_AreRefused()
    {
        await using var server = LoopbackLlmServer.Start((request, n) => ScriptedResponse.Embeddings(request, t => ScriptedResponse.HashVector(t, n == 1 ? 8 : 4)));
        using EmbeddingModelTemplateEmbedder embedder = Embedder(server, batchSize: 2);

        var error = Assert.ThrowsAny<InvalidOperationException>(() => embedder.EmbedAll(Templates(3)));

        Assert.Contains("returned 4 values for template 'Template 2. Goal: {goal} A. {sol1} B. {sol2} Answer:' but 8 for 'Template 0.", error.Message);
    }

    [Fact]
    public async Task TheKey_IsSent_ButNeverInAMessage()
    {
        string secret = "sk-embed-" + Guid.NewGuid().ToString("N");
        string variable = "PAFT_EMBED_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        // A server that echoes the key in its error: the message must still not carry it.
        await using var server = LoopbackLlmServer.Start((request, _) => ScriptedResponse.Error(400, body: $"{{\"error\":{{\"message\":\"bad key {secret}\"}}}}"));
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            using EmbeddingModelTemplateEmbedder embedder = Embedder(server, keyVariable: variable);
            var error = Assert.ThrowsAny<InvalidOperationException>(() => embedder.EmbedAll(Templates(1)));
            Assert.Contains("could not embed 1 template", error.Message);
            Assert.DoesNotContain(secret, error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
        Assert.Equal("Bearer " + secret, server.Requests[0].Headers["Authorization"]);
    }

    [Fact]
    public void AnUnsetKeyVariable_OrABadEndpoint_IsRefusedBeforeAnyRequest()
    {
        string variable = "PAFT_EMBED_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var noKey = Assert.Throws<InvalidOperationException>(() => LlmClientFactory.CreateTemplateEmbedder(new LlmClientSettings
        {
            Endpoint = new Uri("http://127.0.0.1:1/v1"), Model = "m", ApiKeyEnvironmentVariable = variable,
        }));
        Assert.Contains(variable, noKey.Message);
        Assert.Throws<ArgumentException>(() => LlmClientFactory.CreateTemplateEmbedder(new LlmClientSettings { Endpoint = new Uri("ftp://x/v1"), Model = "m" }));
        Assert.Throws<ArgumentException>(() => LlmClientFactory.CreateTemplateEmbedder(new LlmClientSettings { Endpoint = new Uri("http://x/v1") }));
    }

    /// <summary>An in-process generator: what a user's own IEmbeddingGenerator looks like to the embedder.</summary>
    private sealed class CountingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<int> BatchSizes { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            string[] texts = values.ToArray();
            BatchSizes.Add(texts.Length);
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => new Embedding<float>(ScriptedResponse.HashVector(t)))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public void TheSelector_EmbedsThePoolThroughEmbedAll_InBatches()
    {
        var generator = new CountingGenerator();
        var embedder = new EmbeddingModelTemplateEmbedder(generator, "in-process", batchSize: 8);
        PromptPool pool = PromptPool.FromTemplates(Templates(20).Select((t, i) => PromptTemplate.Parse(t, $"t{i}")));

        new ZopoTemplateSelector(new ZopoOptions { Budget = 3 }, embedder).Select(pool, _ => 0.5);

        Assert.Equal([8, 8, 4], generator.BatchSizes);
    }
}
