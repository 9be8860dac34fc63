namespace Paft.MLNet.Prompts;

/// <summary>A template's text is not a valid template: the message names the template and the character position.</summary>
public sealed class PromptTemplateException : FormatException
{
    /// <summary>Creates the exception for template <paramref name="templateId"/> at <paramref name="position"/>.</summary>
    /// <param name="templateId">The template's id.</param>
    /// <param name="position">0-based character position in the source text.</param>
    /// <param name="reason">What is wrong, without the id and position (they are added).</param>
    public PromptTemplateException(string templateId, int position, string reason)
        : base($"Template '{templateId}', position {position}: {reason}")
    {
        TemplateId = templateId;
        Position = position;
        Reason = reason;
    }

    /// <summary>The template's id.</summary>
    public string TemplateId { get; }

    /// <summary>0-based character position in the source text.</summary>
    public int Position { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }
}
