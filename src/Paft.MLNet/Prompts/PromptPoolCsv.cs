using System.Globalization;
using System.Text;
using Paft.MLNet.Input;

namespace Paft.MLNet.Prompts;

/// <summary>
/// CSV pools (RFC 4180: comma separated, fields with commas, quotes or line breaks in double quotes,
/// a quote inside doubled). The header names a <c>text</c> column and optionally an <c>id</c> column;
/// other columns are kept as metadata.
/// </summary>
internal static class PromptPoolCsv
{
    public static List<PromptRecord> Read(string path, int maxFieldLength)
    {
        List<(int Line, List<string> Fields)> rows = Parse(StrictUtf8.ReadAllText(path), path, maxFieldLength);
        if (rows.Count == 0)
            throw new InvalidDataException($"{path}: empty file; expected a header row with a 'text' column.");
        List<string> header = rows[0].Fields;
        int textColumn = header.FindIndex(h => string.Equals(h.Trim(), "text", StringComparison.OrdinalIgnoreCase));
        int idColumn = header.FindIndex(h => string.Equals(h.Trim(), "id", StringComparison.OrdinalIgnoreCase));
        if (textColumn < 0)
            throw new InvalidDataException($"{path} line {rows[0].Line}: the header has no 'text' column (found: {string.Join(", ", header)}).");

        var records = new List<PromptRecord>();
        foreach ((int line, List<string> fields) in rows.Skip(1))
        {
            if (fields.Count == 1 && fields[0].Length == 0)
                continue; // a blank line
            if (fields.Count != header.Count)
                throw new InvalidDataException($"{path} line {line}: {fields.Count} fields, but the header has {header.Count}.");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int c = 0; c < header.Count; c++)
                if (c != textColumn && c != idColumn)
                    metadata[header[c]] = fields[c];
            string? id = idColumn >= 0 && fields[idColumn].Length > 0 ? fields[idColumn] : null;
            records.Add(new PromptRecord(id, fields[textColumn], metadata, $"{path} line {line}"));
        }
        return records;
    }

    /// <summary>Splits CSV text into records of fields, with the line each record starts on.</summary>
    internal static List<(int Line, List<string> Fields)> Parse(string content, string path, int maxFieldLength = int.MaxValue)
    {
        var rows = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        int i = 0;
        bool atFieldStart = true;
        while (i < content.Length)
        {
            char c = content[i];
            if (atFieldStart && c == '"')
            {
                int openLine = line;
                i++;
                while (true)
                {
                    if (i >= content.Length)
                        throw new InvalidDataException($"{path} line {openLine}: a quoted field is never closed.");
                    if (content[i] == '"')
                    {
                        if (i + 1 < content.Length && content[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (content[i] == '\n')
                        line++;
                    field.Append(content[i]);
                    CheckLength(field, maxFieldLength, path, openLine);
                    i++;
                }
                if (i < content.Length && content[i] is not (',' or '\r' or '\n'))
                    throw new InvalidDataException($"{path} line {line}: unexpected '{content[i]}' after a closing quote (a quote inside a field must be doubled).");
                atFieldStart = false;
                continue;
            }
            switch (c)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    atFieldStart = true;
                    i++;
                    break;
                case '\r' or '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    rows.Add((recordLine, fields));
                    fields = [];
                    i += c == '\r' && i + 1 < content.Length && content[i + 1] == '\n' ? 2 : 1;
                    line++;
                    recordLine = line;
                    atFieldStart = true;
                    break;
                case '"':
                    throw new InvalidDataException($"{path} line {line}: a quote inside an unquoted field (quote the whole field and double the quote).");
                default:
                    field.Append(c);
                    CheckLength(field, maxFieldLength, path, line);
                    atFieldStart = false;
                    i++;
                    break;
            }
        }
        if (!atFieldStart || field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            rows.Add((recordLine, fields));
        }
        return rows;
    }

    private static void CheckLength(StringBuilder field, int maxFieldLength, string path, int line)
    {
        if (field.Length > maxFieldLength)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{path} line {line}: a field longer than {maxFieldLength:N0} characters ({InputLimits.Describe(nameof(InputLimits.MaxFieldLength), maxFieldLength)})."));
    }

    public static void Write(Stream stream, IReadOnlyList<PromptPoolEntry> entries)
    {
        List<string> metadataColumns = MetadataColumns(entries);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\r\n" };
        writer.WriteLine(string.Join(',', new[] { "id", "text" }.Concat(metadataColumns).Select(Quote)));
        foreach (PromptPoolEntry entry in entries)
        {
            IEnumerable<string> values = new[] { entry.Id, entry.Template.Text }
                .Concat(metadataColumns.Select(c => entry.Metadata.TryGetValue(c, out string? v) ? v : ""));
            writer.WriteLine(string.Join(',', values.Select(Quote)));
        }
    }

    internal static List<string> MetadataColumns(IEnumerable<PromptPoolEntry> entries) =>
        entries.SelectMany(e => e.Metadata.Keys).Distinct(StringComparer.Ordinal).ToList();

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
