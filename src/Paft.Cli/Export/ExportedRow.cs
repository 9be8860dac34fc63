namespace Paft.Cli.Export;

/// <summary>One row of the exported PAFT training stream, in the order training visits it.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Position">0-based position in the epoch's visiting order.</param>
/// <param name="Step">1-based optimizer step of the whole run that trains on the row (as in <c>training_log.csv</c>).</param>
/// <param name="Row">0-based index of the row in the training data (after <c>--limit</c>).</param>
/// <param name="Source">Where the row came from (file and line).</param>
/// <param name="TemplateId">The template drawn for the row's group of K steps.</param>
/// <param name="Prompt">The rendered prompt, before any cut to the maximum length.</param>
/// <param name="Completion">What the model learns to say after the prompt: the separator PAFT puts after the prompt, then the answer.</param>
internal sealed record ExportedRow(int Epoch, int Position, int Step, int Row, string Source, string TemplateId, string Prompt, string Completion);
