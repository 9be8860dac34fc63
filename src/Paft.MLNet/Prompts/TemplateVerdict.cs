namespace Paft.MLNet.Prompts;

/// <summary>The verdict on one row of a pool file: valid, or the problems found.</summary>
/// <param name="Id">The template's id (from the file, or <c>&lt;file name&gt;-&lt;row number&gt;</c>).</param>
/// <param name="Location">Where the row is: <c>file line N</c> or <c>file row N</c>.</param>
/// <param name="Problems">What is wrong, each message naming the template and position; empty when valid.</param>
public sealed record TemplateVerdict(string Id, string Location, IReadOnlyList<string> Problems)
{
    /// <summary>Whether the template is valid for the task.</summary>
    public bool IsValid => Problems.Count == 0;
}
