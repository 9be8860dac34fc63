namespace Paft.MLNet.Prompts;

/// <summary>
/// One template as a pool file holds it, before parsing: the pool loader parses it and the validator
/// checks it (so a text that does not parse can still be reported, not only thrown). Readers of other file
/// formats (Paft.MLNet.Connectors' .xlsx) hand these to <see cref="PromptPool.FromRecords"/> and <see cref="PromptPool.CheckRecords"/>.
/// </summary>
/// <param name="Id">The id from the file, or null when the file has none for this row.</param>
/// <param name="Text">The template source.</param>
/// <param name="Metadata">Other fields or columns, in file order.</param>
/// <param name="Location">Where the row is, for messages: <c>file line N</c> or <c>file row N</c>.</param>
public sealed record PromptRecord(string? Id, string Text, IReadOnlyDictionary<string, string> Metadata, string Location);
