using System.Globalization;
using Paft.MLNet.Input;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// PIQA: <c>goal</c>, <c>sol1</c>, <c>sol2</c> per jsonl line, and the labels (0/1) in a separate
/// file whose line i belongs to the jsonl's line i (<c>valid.jsonl</c> + <c>valid-labels.lst</c>).
/// </summary>
internal static class PiqaReader
{
    public static TaskReadResult Read(string path, ReaderOptions options)
    {
        TaskDefinition task = TaskDefinition.Piqa;
        string? labelsPath = options.PiqaLabelsPath ?? FindLabelsFile(path);
        if (options.PiqaLabelsPath is not null && !File.Exists(options.PiqaLabelsPath))
            throw new FileNotFoundException($"PIQA labels file not found: {options.PiqaLabelsPath}", options.PiqaLabelsPath);

        IReadOnlyList<string>? labels = labelsPath is null ? null : ReadLabelLines(labelsPath);
        if (labels is not null)
        {
            int lastRow = JsonLines.Read(path, options.Limits.MaxLineBytes).Select(r => r.Line).DefaultIfEmpty(0).Max();
            if (labels.Count != lastRow)
                throw new TaskDataException(labelsPath!, 0,
                    $"holds {labels.Count} labels but {path} has {lastRow} lines; the two files must be aligned line by line");
        }

        var rows = new RowCollector(task, options);
        foreach ((int line, string text) in JsonLines.Read(path, options.Limits.MaxLineBytes))
        {
            string source = $"{Path.GetFileName(path)}:{line}";
            int label = -1;
            if (labels is not null)
            {
                string labelText = labels[line - 1].Trim();
                if (!int.TryParse(labelText, NumberStyles.None, CultureInfo.InvariantCulture, out label) || label > 1)
                {
                    rows.Add(labelsPath!, line, () => throw new RowProblemException($"label '{labelText}' is not 0 or 1"));
                    continue;
                }
            }
            rows.Add(path, line, () =>
            {
                using var document = JsonFields.Parse(text);
                var row = JsonFields.Object(document.RootElement);
                return [ExampleBuilder.Create(task,
                    [JsonFields.String(row, "goal"), JsonFields.String(row, "sol1"), JsonFields.String(row, "sol2")],
                    label, source)];
            });
        }
        return rows.ToResult();
    }

    /// <summary><c>dir/name.jsonl</c> → <c>dir/name-labels.lst</c> when it exists (the dataset's naming).</summary>
    internal static string? FindLabelsFile(string jsonlPath)
    {
        string candidate = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(jsonlPath))!,
            Path.GetFileNameWithoutExtension(jsonlPath) + "-labels.lst");
        return File.Exists(candidate) ? candidate : null;
    }

    private static IReadOnlyList<string> ReadLabelLines(string path)
    {
        var lines = StrictUtf8.ReadAllText(path).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1]))
            lines.RemoveAt(lines.Count - 1);
        return lines;
    }
}
