using System.Text;

namespace Paft.Llama.Tokenization;

/// <summary>
/// Llama 3's chat format, byte for byte as Meta's <c>ChatFormat</c> and the Hugging Face chat_template build it:
/// <c>&lt;|begin_of_text|&gt;</c>, then per message
/// <c>&lt;|start_header_id|&gt;{role}&lt;|end_header_id|&gt;\n\n{content stripped}&lt;|eot_id|&gt;</c>, then
/// (for a generation prompt) <c>&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c>.
/// </summary>
public static class Llama3ChatTemplate
{
    /// <summary>The prompt as text, special tokens written out.</summary>
    /// <param name="messages">The conversation so far.</param>
    /// <param name="addGenerationPrompt">Whether to end with the assistant header, for the model to answer.</param>
    public static string Format(IEnumerable<ChatTurn> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder(Llama3SpecialTokens.BeginOfText);
        foreach (ChatTurn message in messages)
        {
            AppendHeader(text, message.Role);
            text.Append(PythonStrip.Strip(message.Content ?? "")).Append(Llama3SpecialTokens.EndOfTurn);
        }
        if (addGenerationPrompt)
            AppendHeader(text, "assistant");
        return text.ToString();
    }

    /// <summary>
    /// The prompt as ids, built as Meta's <c>encode_dialog_prompt</c> does: special tokens by id, roles and
    /// contents encoded as ordinary text — so special-token text inside a message stays text and cannot
    /// forge a turn. Equal to encoding <see cref="Format"/> with special tokens parsed whenever the
    /// messages hold no special-token text.
    /// </summary>
    /// <param name="tokenizer">A Llama 3 tokenizer (it must know the header and end-of-turn tokens).</param>
    /// <param name="messages">The conversation so far.</param>
    /// <param name="addGenerationPrompt">Whether to end with the assistant header.</param>
    /// <exception cref="ArgumentException">The tokenizer lacks Llama 3's chat special tokens.</exception>
    public static IReadOnlyList<int> Encode(ILlamaTokenizer tokenizer, IEnumerable<ChatTurn> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(messages);
        int startHeader = SpecialId(tokenizer, Llama3SpecialTokens.StartHeader);
        int endHeader = SpecialId(tokenizer, Llama3SpecialTokens.EndHeader);
        int endOfTurn = SpecialId(tokenizer, Llama3SpecialTokens.EndOfTurn);

        var ids = new List<int> { tokenizer.BosId };
        void AddHeader(string role)
        {
            ids.Add(startHeader);
            ids.AddRange(tokenizer.Encode(role));
            ids.Add(endHeader);
            ids.AddRange(tokenizer.Encode("\n\n"));
        }
        foreach (ChatTurn message in messages)
        {
            AddHeader(message.Role);
            ids.AddRange(tokenizer.Encode(PythonStrip.Strip(message.Content ?? "")));
            ids.Add(endOfTurn);
        }
        if (addGenerationPrompt)
            AddHeader("assistant");
        return ids;
    }

    private static void AppendHeader(StringBuilder text, string role) =>
        text.Append(Llama3SpecialTokens.StartHeader).Append(role).Append(Llama3SpecialTokens.EndHeader).Append("\n\n");

    /// <summary>The id of a special token, found by encoding its text with special tokens parsed.</summary>
    internal static int SpecialId(ILlamaTokenizer tokenizer, string token)
    {
        IReadOnlyList<int> ids = tokenizer.Encode(token, parseSpecial: true);
        return ids.Count == 1
            ? ids[0]
            : throw new ArgumentException($"The tokenizer has no special token {token}; it is not a Llama 3 tokenizer.", nameof(tokenizer));
    }
}
