namespace Paft.MLNet.Prompts;

/// <summary>The kind of a problem found by template validation.</summary>
public enum TemplateProblemKind
{
    /// <summary>The text does not parse (unbalanced or stray braces, an unsupported field).</summary>
    Syntax,

    /// <summary>A field of the task does not appear in the template.</summary>
    MissingPlaceholder,

    /// <summary>The template names a field the task does not have.</summary>
    UnknownPlaceholder,
}

/// <summary>One problem with a template, for a given task.</summary>
/// <param name="TemplateId">The template's id.</param>
/// <param name="Kind">What kind of problem.</param>
/// <param name="Position">0-based character position in the source text, or -1 when the problem concerns
/// the whole template (a missing placeholder has no position).</param>
/// <param name="Message">A sentence saying what is wrong, naming the template, the position and the field.</param>
public sealed record TemplateProblem(string TemplateId, TemplateProblemKind Kind, int Position, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}
