namespace Paft.Llama.Tokenization;

/// <summary>One message of a chat: who speaks (<c>system</c>, <c>user</c>, <c>assistant</c>, ...) and what they say.</summary>
/// <param name="Role">The speaker's role, written into the prompt as given.</param>
/// <param name="Content">The message text.</param>
public readonly record struct ChatTurn(string Role, string Content);
