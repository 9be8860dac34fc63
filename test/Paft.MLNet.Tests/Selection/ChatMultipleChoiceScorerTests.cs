using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Selection;

public class ChatMultipleChoiceScorerTests
{
    /// <summary>A chat model in-process: its reply is a function of the prompt.</summary>
    private sealed class FunctionChatClient(Func<string, string> reply) : IChatClient
    {
        public int Requests { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Requests++;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply(messages.Last().Text))));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            throw new NotSupportedException();
#pragma warning disable CS0162 // an async iterator needs a yield somewhere
            yield break;
#pragma warning restore CS0162
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }

    private static readonly TaskExample[] Rows = Enumerable.Range(0, 8)
        .Select(i => new TaskExample(new Dictionary<string, string>
        {
            ["goal"] = $"case {i} wants {(i % 2 == 0 ? "first" : "second")}",
            ["sol1"] = "one way",
            ["sol2"] = "another way",
        }, i % 2))
        .ToArray();

    [Fact]
    public void RepliesAreReadAsOptionIndices()
    {
        var client = new FunctionChatClient(prompt => prompt switch
        {
            "p1" => "The answer is (B).",
            "p2" => "A",
            _ => "I am not sure.",
        });
        IReadOnlyList<int> predicted = new ChatMultipleChoiceScorer(client).Predict(["p1", "p2", "p3"], TaskDefinition.Piqa);
        Assert.Equal([1, 0, -1], predicted);
        Assert.Equal(3, client.Requests);
    }

    [Fact]
    public void ZopoWithAChatModelFindsTheTemplatesItUnderstands()
    {
        // The model answers right only when the options are labelled "(A)"/"(B)"; otherwise it always says A.
        var client = new FunctionChatClient(prompt =>
            prompt.Contains("(A)") ? (prompt.Contains("wants first") ? "Answer: A" : "Answer: B") : "A");
        TaskDefinition task = TaskDefinition.Piqa;
        PromptPool pool = new OfflineTemplateGenerator(task).GeneratePool(30, seed: 4);
        Assert.Contains(pool, e => e.Template.DisplayText.Contains("(A)"));

        ZopoResult result = new ZopoTemplateSelector(new ZopoOptions { Budget = 12, Seed = 1 })
            .Select(pool, task, Rows, new ChatMultipleChoiceScorer(client));

        Assert.Equal(12 * Rows.Length, client.Requests);
        foreach (ZopoStep step in result.Trace)
        {
            pool.TryGet(step.TemplateId, out PromptPoolEntry? entry);
            Assert.Equal(entry!.Template.DisplayText.Contains("(A)") ? 1.0 : 0.5, step.Accuracy);
        }
        Assert.Contains(result.Trace, s => s.Accuracy == 1.0);
        Assert.Contains("(A)", result.Best.DisplayText);
    }
}
