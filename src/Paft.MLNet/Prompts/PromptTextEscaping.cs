namespace Paft.MLNet.Prompts;

/// <summary>How a template's source text spells control characters.</summary>
public enum PromptTextEscaping
{
    /// <summary>The text is taken as written: a newline is a real newline character.</summary>
    None = 0,

    /// <summary>
    /// The PAFT authors' file convention: a newline is written as the two characters <c>\n</c>, a tab as
    /// <c>\t</c>, a carriage return as <c>\r</c> and a backslash as <c>\\</c>. Any other backslash is kept
    /// as it is. Positions in error messages still count characters of the source text as written.
    /// </summary>
    BackslashSequences = 1,
}
