namespace Paft.MLNet.Prompts;

/// <summary>One template of a pool with whatever else its file said about it (source, generator, ...).</summary>
/// <param name="Template">The parsed template; its <see cref="PromptTemplate.Id"/> is the entry's id.</param>
/// <param name="Metadata">Extra fields or columns of the file, kept so a save writes them back.</param>
public sealed record PromptPoolEntry(PromptTemplate Template, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>An entry with no metadata.</summary>
    /// <param name="template">The template.</param>
    public PromptPoolEntry(PromptTemplate template) : this(template, EmptyMetadata) { }

    internal static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    /// <summary>The template's id.</summary>
    public string Id => Template.Id;
}
