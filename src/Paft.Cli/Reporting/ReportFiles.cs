namespace Paft.Cli.Reporting;

/// <summary>What <see cref="ReportWriter"/> wrote: the Markdown report and the PNG figures it links to.</summary>
internal sealed record ReportFiles(string Markdown, IReadOnlyList<string> Images);
