using System.Text.Json;

namespace Paft.Tests.Common;

/// <summary>One line of corpus.jsonl: a generated answer and the letters upstream's function reads from it.</summary>
/// <param name="Line">1-based line number in the file.</param>
/// <param name="Text">The generated text.</param>
/// <param name="Options">The option letters.</param>
/// <param name="Expected">What <c>first_option_postprocess</c> returns with the cushion on; null for ''.</param>
/// <param name="ExpectedNoCushion">The same with the cushion off.</param>
/// <param name="Kind">realistic, targeted, whitespace, unicode or fuzz.</param>
internal sealed record OpenCompassCorpusEntry(int Line, string Text, string Options, string? Expected, string? ExpectedNoCushion, string Kind);

/// <summary>
/// The corpus of generated answers with the letters OpenCompass's <c>first_option_postprocess</c> @ 98242ff1 reads from
/// them (made by make_corpus.py beside it; copied next to the test assemblies).
/// </summary>
internal static class OpenCompassCorpus
{
    /// <summary>Where the corpus is copied in the test output.</summary>
    public static string PathInOutput => Path.Combine(AppContext.BaseDirectory, "OpenCompassCorpus", "corpus.jsonl");

    /// <summary>Every entry of the corpus, in file order.</summary>
    public static IReadOnlyList<OpenCompassCorpusEntry> Read()
    {
        var entries = new List<OpenCompassCorpusEntry>();
        int line = 0;
        foreach (string text in File.ReadLines(PathInOutput))
        {
            line++;
            using JsonDocument json = JsonDocument.Parse(text);
            JsonElement root = json.RootElement;
            entries.Add(new OpenCompassCorpusEntry(line, root.GetProperty("text").GetString()!, root.GetProperty("options").GetString()!,
                root.GetProperty("expected").GetString(), root.GetProperty("expectedNoCushion").GetString(), root.GetProperty("kind").GetString()!));
        }
        return entries;
    }

    /// <summary>A line for an assertion message: the entry's line number, options and text as JSON.</summary>
    public static string Describe(OpenCompassCorpusEntry entry, string? actual, string? expected) =>
        $"line {entry.Line} options {entry.Options} text {JsonSerializer.Serialize(entry.Text)}: got {actual ?? "null"}, upstream {expected ?? "null"}";
}
