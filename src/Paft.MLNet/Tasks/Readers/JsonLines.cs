using Paft.MLNet.Input;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>Reads a JSON-lines file one row at a time with its 1-based line number.</summary>
internal static class JsonLines
{
    /// <summary>The non-blank lines of <paramref name="path"/> with their 1-based numbers. Blank lines
    /// (a trailing newline, an empty last line) are not rows and are passed over.</summary>
    /// <exception cref="InvalidDataException">A line is longer than <paramref name="maxLineBytes"/> or is not UTF-8.</exception>
    public static IEnumerable<(int Line, string Text)> Read(string path, long maxLineBytes)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Task data file not found: {path}", path);
        foreach ((int number, string text) in StrictUtf8.ReadLines(path, maxLineBytes))
        {
            if (!string.IsNullOrWhiteSpace(text))
                yield return (number, text);
        }
    }

    /// <summary>Reads every row of a JSON-lines file through <paramref name="map"/>.</summary>
    public static void ReadInto(RowCollector rows, string path, Func<System.Text.Json.JsonElement, string, IEnumerable<TaskExample>> map)
    {
        foreach ((int line, string text) in Read(path, rows.Options.Limits.MaxLineBytes))
        {
            string source = $"{Path.GetFileName(path)}:{line}";
            rows.Add(path, line, () =>
            {
                using var document = JsonFields.Parse(text);
                // Mapping happens inside the using: TaskExamples copy the strings, not the elements.
                return map(JsonFields.Object(document.RootElement), source).ToList();
            });
        }
    }
}
