namespace Paft.Llama.Tokenization;

/// <summary>
/// Llama 2 chat's <c>[INST]</c> format as Meta's <c>chat_completion</c> builds it: an optional system
/// message folded into the first user message between <c>&lt;&lt;SYS&gt;&gt;</c> markers, then each
/// (user, assistant) exchange encoded as <c>BOS "[INST] {user} [/INST] {assistant} " EOS</c> and the final
/// user message as <c>BOS "[INST] {user} [/INST]"</c>, contents stripped. It is defined on ids (each
/// exchange is encoded separately), so only the id form is offered.
/// </summary>
public static class Llama2ChatTemplate
{
    private const string BeginSystem = "<<SYS>>\n";
    private const string EndSystem = "\n<</SYS>>\n\n";

    /// <summary>The prompt ids for <paramref name="messages"/>, for the model to write the next assistant turn.</summary>
    /// <param name="tokenizer">A Llama 2 tokenizer; its first EOS id ends each exchange.</param>
    /// <param name="messages">An optional <c>system</c> message, then <c>user</c> and <c>assistant</c> alternating, ending with <c>user</c>.</param>
    /// <exception cref="ArgumentException">The roles do not follow that order.</exception>
    public static IReadOnlyList<int> Encode(ILlamaTokenizer tokenizer, IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(messages);
        var dialog = messages.ToList();
        if (dialog.Count > 0 && dialog[0].Role == "system")
        {
            if (dialog.Count < 2)
                throw new ArgumentException("A system message must be followed by a user message.", nameof(messages));
            dialog = [new ChatTurn(dialog[1].Role, BeginSystem + dialog[0].Content + EndSystem + dialog[1].Content), .. dialog.Skip(2)];
        }
        for (int i = 0; i < dialog.Count; i++)
        {
            string expected = i % 2 == 0 ? "user" : "assistant";
            if (dialog[i].Role != expected)
                throw new ArgumentException(
                    $"Message {i} has role '{dialog[i].Role}' where '{expected}' is expected: Llama 2 chat takes an optional system message, then user and assistant alternating.",
                    nameof(messages));
        }
        if (dialog.Count == 0 || dialog[^1].Role != "user")
            throw new ArgumentException("The last message must be from the user.", nameof(messages));
        if (tokenizer.EosIds.Count == 0)
            throw new ArgumentException("The tokenizer has no EOS id.", nameof(tokenizer));

        var ids = new List<int>();
        for (int i = 0; i + 1 < dialog.Count; i += 2)
        {
            string exchange = $"[INST] {PythonStrip.Strip(dialog[i].Content)} [/INST] {PythonStrip.Strip(dialog[i + 1].Content)} ";
            ids.AddRange(tokenizer.Encode(exchange, addBos: true));
            ids.Add(tokenizer.EosIds[0]);
        }
        ids.AddRange(tokenizer.Encode($"[INST] {PythonStrip.Strip(dialog[^1].Content)} [/INST]", addBos: true));
        return ids;
    }
}
