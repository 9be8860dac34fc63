using Paft.MLNet.Connectors;
using Paft.MLNet.Prompts;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tests.PromptGeneration;

namespace Paft.MLNet.Tests.Selection;

/// <summary>ZOPO and BATprompt against a real HTTP endpoint: the scripted OpenAI-compatible loopback server.</summary>
public class SelectionLoopbackTests
{
    private static readonly TaskDefinition Task = TaskDefinition.Piqa;

    private static readonly TaskExample[] Rows = Enumerable.Range(0, 8)
        .Select(i => new TaskExample(new Dictionary<string, string>
        {
            ["goal"] = $"Case {i}: the right one is the {(i % 2 == 0 ? "first" : "second")}",
            ["sol1"] = "one way",
            ["sol2"] = "another way",
        }, i % 2))
        .ToArray();

    private static PromptTemplate Plain(int k) => PromptTemplate.Parse($"Template {k}.\nGoal: {{goal}}\nA. {{sol1}}\nB. {{sol2}}\nAnswer:", $"plain-{k}");

    /// <summary>
    /// The scripted model: asked for improved templates, it writes one marked "Robust"; asked a question
    /// under a "Robust" template, it reads the goal; under any other template it always answers A.
    /// </summary>
    private static ScriptedResponse Model(RecordedRequest request, int number)
    {
        string body = request.Body;
        if (body.Contains("improved templates as a JSON array"))
            return ScriptedResponse.Chat(request,
                """["Robust. Read past any typos.\nGoal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "Goal only: {goal}\nAnswer:"]""");
        if (body.Contains("Robust."))
            return ScriptedResponse.Chat(request, body.Contains("the second") ? "The answer is B." : "The answer is A.");
        return ScriptedResponse.Chat(request, "A");
    }

    private static LlmClient Client(LoopbackLlmServer server) =>
        LlmClientFactory.Create(new LlmClientSettings { Endpoint = server.OpenAIEndpoint, Model = "test-model" });

    [Fact]
    public async Task BatPromptRoundsImproveTheTemplateThroughTheServer()
    {
        await using LoopbackLlmServer server = LoopbackLlmServer.Start(Model, maxRequests: 400);
        using LlmClient client = Client(server);
        var rounds = new List<BatpromptRound>();
        var options = new BatpromptOptions
        {
            Criterion = BatpromptCriterion.PerturbedAccuracy, Rounds = 2, PerturbedCopies = 1,
            Perturbation = new() { Rate = 0.02 }, RoundProgress = new Collect<BatpromptRound>(rounds),
        };
        BatpromptResult result = await new BatpromptSelector(new ChatMultipleChoiceScorer(client.ChatClient), options, client.ChatClient)
            .SelectAsync(PromptPool.FromTemplates([Plain(1), Plain(2)]), Task, Rows);

        Assert.Equal("batprompt-r1-1", result.Best.Id);
        Assert.Equal(1.0, result.Score.CleanAccuracy);
        Assert.True(result.Score.PerturbedAccuracy > 0.5);
        Assert.All(result.Trace.Where(s => s.Round == 0), s => Assert.Equal(0.5, s.CleanAccuracy));
        Assert.Contains(result.Rejected, r => r.StartsWith("batprompt-r1-2:") && r.Contains("missing placeholder"));
        // Round 2 got the same two templates back: both duplicates or invalid, nothing new scored.
        Assert.Single(result.Trace, s => s.Round > 0);
        Assert.Contains(result.Rejected, r => r.StartsWith("batprompt-r2-1:") && r.Contains("duplicate"));

        // Each round was reported as it ended: what it scored and rejected, and the best so far.
        Assert.Equal([1, 2], rounds.Select(r => r.Round));
        Assert.Equal(["batprompt-r1-1"], rounds[0].Scored.Select(s => s.TemplateId));
        Assert.Contains(rounds[0].Rejected, r => r.StartsWith("batprompt-r1-2:"));
        Assert.Empty(rounds[1].Scored);
        Assert.All(rounds, r => Assert.Equal("batprompt-r1-1", r.Best.TemplateId));
        Assert.All(rounds, r => Assert.Null(r.StopReason));

        RecordedRequest[] improvements = server.Requests.Where(r => r.Body.Contains("improved templates as a JSON array")).ToArray();
        Assert.Equal(2, improvements.Length);
        Assert.Contains("correct answer: B", improvements[0].Body);
        Assert.False(server.LimitExceeded);
    }

    [Fact]
    public async Task ZopoScoresTemplatesThroughTheServer()
    {
        await using LoopbackLlmServer server = LoopbackLlmServer.Start(Model, maxRequests: 200);
        using LlmClient client = Client(server);
        PromptTemplate robust = PromptTemplate.Parse("Robust.\nGoal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "robust");
        PromptPool pool = PromptPool.FromTemplates([Plain(1), Plain(2), Plain(3), robust, Plain(4)]);

        ZopoResult result = new ZopoTemplateSelector(new ZopoOptions { Budget = 5, InitialSamples = 2 })
            .Select(pool, Task, Rows, new ChatMultipleChoiceScorer(client.ChatClient));

        Assert.Equal("robust", result.Best.Id);
        Assert.Equal(1.0, result.BestAccuracy);
        Assert.All(result.Trace.Where(s => s.TemplateId != "robust"), s => Assert.Equal(0.5, s.Accuracy));
        Assert.Equal(5 * Rows.Length, server.RequestCount);
    }

    [Fact]
    public async Task ZopoOverAnEmbeddingModel_IsReproducibleBySeed_AndFollowsTheScriptedNeighbourhood()
    {
        // 30 templates; the accuracy is 0.9 for one, 0.3 for the others. With one random start and one candidate a step,
        // the second evaluation is the start's nearest neighbour in the embedding space: the embedding alone decides it.
        PromptPool pool = PromptPool.FromTemplates(Enumerable.Range(0, 30).Select(Plain));
        var options = new ZopoOptions { Budget = 2, InitialSamples = 1, NeighbourCount = 1, Seed = 7 };
        string? best = null;
        double Accuracy(PromptTemplate t) => t.Id == best ? 0.9 : 0.3;

        // The hashed vectors: some start, and a neighbour that is not the best template.
        await using LoopbackLlmServer hashed = LoopbackLlmServer.Start((request, _) => ScriptedResponse.Embeddings(request, t => ScriptedResponse.HashVector(t)));
        ZopoResult baseline;
        using (var embedder = Embedder(hashed))
            baseline = new ZopoTemplateSelector(options, embedder).Select(pool, Accuracy);
        string start = baseline.Trace[0].TemplateId;
        Assert.Equal(1, hashed.RequestCount); // the whole pool in one request
        // The best template is the one farthest from the start in the hashed space, so the baseline cannot stumble on it.
        string startText = pool.Templates.Single(t => t.Id == start).DisplayText;
        best = pool.Templates.Where(t => t.Id != start)
            .MaxBy(t => Distance(ScriptedResponse.HashVector(t.DisplayText), ScriptedResponse.HashVector(startText)))!.Id;
        string bestText = pool.Templates.Single(t => t.Id == best).DisplayText;
        Assert.NotEqual(best, baseline.Trace[1].TemplateId);

        // The scripted model puts the best template right next to the start; every other vector is as before.
        float[] Scripted(string text) => text == bestText
            ? ScriptedResponse.HashVector(startText).Select((v, d) => v + (d == 0 ? 0.01f : 0f)).ToArray()
            : ScriptedResponse.HashVector(text);
        await using LoopbackLlmServer scripted = LoopbackLlmServer.Start((request, _) => ScriptedResponse.Embeddings(request, Scripted));
        ZopoResult first, second;
        using (var embedder = Embedder(scripted))
            first = new ZopoTemplateSelector(options, embedder).Select(pool, Accuracy);
        using (var embedder = Embedder(scripted))
            second = new ZopoTemplateSelector(options, embedder).Select(pool, Accuracy);

        Assert.Equal([start, best], first.Trace.Select(s => s.TemplateId));   // the same random start: only the embedding moved the search
        Assert.Equal(best, first.Best.Id);
        Assert.Equal(0.9, first.BestAccuracy);
        Assert.Equal(first.Trace, second.Trace);
        Assert.Equal(2, scripted.RequestCount);
    }

    private static EmbeddingModelTemplateEmbedder Embedder(LoopbackLlmServer server) =>
        LlmClientFactory.CreateTemplateEmbedder(new LlmClientSettings { Endpoint = server.OpenAIEndpoint, Model = "embed-model" });

    private static double Distance(float[] a, float[] b)
    {
        double na = Math.Sqrt(a.Sum(x => (double)x * x)), nb = Math.Sqrt(b.Sum(x => (double)x * x));
        return Math.Sqrt(a.Zip(b, (x, y) => Math.Pow(x / na - y / nb, 2)).Sum());
    }

    /// <summary>Collects reports on the reporting thread (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class Collect<T>(List<T> into) : IProgress<T>
    {
        public void Report(T value) => into.Add(value);
    }
}
