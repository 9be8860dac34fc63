using Microsoft.Extensions.AI;

namespace Paft.MLNet.Perturbation;

/// <summary>
/// Rewrites input texts through an <see cref="IChatClient"/> — synonym substitution or paraphrase, the
/// word-level perturbations of BATprompt that character noise cannot make. A reply that is empty keeps
/// the original text, so a flaky model weakens the perturbation instead of corrupting the row.
/// </summary>
internal sealed class ChatTextRewriter(IChatClient client)
{
    public async Task<string> RewriteAsync(string text, ChatRewriteKind kind, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text))
            return text;
        string instruction = kind == ChatRewriteKind.Synonyms
            ? "Rewrite the text below, replacing several words with synonyms. Keep the sentence structure, the meaning and every name."
            : "Paraphrase the text below: say exactly the same thing in different words. Keep the meaning and every name.";
        ChatMessage[] messages =
        [
            new(ChatRole.System, "You rewrite texts for a robustness test. Reply with the rewritten text only, no commentary."),
            new(ChatRole.User, $"{instruction}\n\nText:\n{text}"),
        ];
        ChatResponse response = await client.GetResponseAsync(messages, new ChatOptions { Temperature = 0.7f }, cancellationToken)
            .ConfigureAwait(false);
        string reply = Clean(response.Text);
        return reply.Length == 0 ? text : reply;
    }

    /// <summary>Strips a code fence, a "Rewritten text:" style preamble and surrounding quotes.</summary>
    internal static string Clean(string? reply)
    {
        string text = (reply ?? "").Trim();
        if (text.StartsWith("```", StringComparison.Ordinal))
        {
            int firstNewline = text.IndexOf('\n');
            int close = text.LastIndexOf("```", StringComparison.Ordinal);
            text = firstNewline >= 0 && close > firstNewline ? text[(firstNewline + 1)..close].Trim() : text.Trim('`').Trim();
        }
        int colon = text.IndexOf(':');
        if (colon > 0 && colon < 30 && text[..colon].Contains("text", StringComparison.OrdinalIgnoreCase) && text.IndexOf('\n') is int nl && (nl < 0 || nl > colon))
            text = text[(colon + 1)..].Trim();
        if (text.Length >= 2 && (text[0] == '"' && text[^1] == '"' || text[0] == '\u201C' && text[^1] == '\u201D'))
            text = text[1..^1].Trim();
        return text;
    }
}
