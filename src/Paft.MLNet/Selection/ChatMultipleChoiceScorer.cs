using Microsoft.Extensions.AI;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Selection;

/// <summary>
/// Answers rendered prompts with a chat model: each prompt is sent as one user message and the option
/// letter is read from the reply with <see cref="AnswerExtractor"/> (-1 when none can be read). Lets the
/// ZOPO-style and BATprompt-style selections score templates against a remote or local LLM endpoint
/// instead of the in-process base model.
/// </summary>
/// <remarks>
/// <see cref="IMultipleChoiceScorer.Predict"/> is synchronous, so each request is awaited on the calling
/// thread; do not call it from a thread with a single-threaded synchronization context (a UI thread).
/// </remarks>
public sealed class ChatMultipleChoiceScorer : IMultipleChoiceScorer
{
    private readonly IChatClient _client;
    private readonly ChatOptions? _options;

    /// <summary>Creates a scorer.</summary>
    /// <param name="client">The chat model.</param>
    /// <param name="options">Request options (model, temperature, max tokens); null uses the client's defaults.</param>
    public ChatMultipleChoiceScorer(IChatClient client, ChatOptions? options = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options;
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Predict(IReadOnlyList<string> prompts, TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(task);
        var predictions = new int[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            ChatResponse response = _client.GetResponseAsync(prompts[i], _options?.Clone()).GetAwaiter().GetResult();
            predictions[i] = AnswerExtractor.Extract(response.Text ?? "", task.AnswerLabels).Index;
        }
        return predictions;
    }
}
