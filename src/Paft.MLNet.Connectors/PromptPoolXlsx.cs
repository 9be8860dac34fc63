using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Paft.MLNet.Prompts;

namespace Paft.MLNet.Connectors;

/// <summary>
/// Excel pools, the PAFT authors' format: the first sheet, a header row with a <c>text</c> column
/// (and optionally <c>id</c>), one template a row; other columns are kept as metadata.
/// </summary>
internal static partial class PromptPoolXlsx
{
    // OOXML escapes characters XML cannot carry (a carriage return would be normalised away by any XML
    // reader) as _xHHHH_, and a literal "_xHHHH_" as _x005F_xHHHH_; Excel reads and writes text this way.
    [GeneratedRegex("_x([0-9A-Fa-f]{4})_")]
    private static partial Regex EscapedCharacter();

    public static List<PromptRecord> Read(string path, InputLimits limits)
    {
        XlsxEntryLimit.Check(path, limits.MaxXlsxEntryBytes);
        SpreadsheetDocument document;
        try
        {
            document = SpreadsheetDocument.Open(path, isEditable: false);
        }
        catch (Exception e) when (e is OpenXmlPackageException or FileFormatException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a readable .xlsx workbook ({e.Message}).", e);
        }
        try
        {
            return ReadRecords(path, document, limits);
        }
        catch (Exception e) when (e is System.Xml.XmlException or OpenXmlPackageException)
        {
            // E.g. a part cut short: a zip that understates an entry's size is inflated only up to the stated size.
            throw new InvalidDataException($"{path}: not a readable .xlsx workbook ({CommandLineSafe(e.Message)}).", e);
        }
        finally
        {
            document.Dispose();
        }
    }

    private static string CommandLineSafe(string message) => message.ReplaceLineEndings(" ");

    private static List<PromptRecord> ReadRecords(string path, SpreadsheetDocument document, InputLimits limits)
    {
        WorkbookPart workbook = document.WorkbookPart
            ?? throw new InvalidDataException($"{path}: the workbook has no workbook part.");
        Sheet sheet = workbook.Workbook.Descendants<Sheet>().FirstOrDefault()
            ?? throw new InvalidDataException($"{path}: the workbook has no sheet.");
        var worksheet = (WorksheetPart)workbook.GetPartById(sheet.Id?.Value
            ?? throw new InvalidDataException($"{path}: sheet '{sheet.Name}' has no part id."));
        // Materialised once: looking an index up in the XML element list is linear.
        List<string> sharedStrings = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>()
            .Select(item => item.InnerText).ToList() ?? [];
        string sheetName = sheet.Name?.Value ?? "sheet 1";

        var rows = new List<(uint Number, Dictionary<int, string> Cells)>();
        uint previous = 0;
        foreach (Row row in worksheet.Worksheet.Descendants<Row>())
        {
            uint number = row.RowIndex?.Value ?? previous + 1;
            previous = number;
            var cells = new Dictionary<int, string>();
            int nextColumn = 0;
            foreach (Cell cell in row.Elements<Cell>())
            {
                int column = cell.CellReference?.Value is { } reference ? ColumnIndex(reference) : nextColumn;
                nextColumn = column + 1;
                string text = CellText(cell, sharedStrings);
                if (text.Length > limits.MaxFieldLength)
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{path} ({sheet.Name?.Value}) cell {cell.CellReference?.Value}: longer than {limits.MaxFieldLength:N0} characters ({InputLimits.Describe(nameof(InputLimits.MaxFieldLength), limits.MaxFieldLength)})."));
                cells[column] = text;
            }
            rows.Add((number, cells));
        }
        if (rows.Count == 0)
            throw new InvalidDataException($"{path} ({sheetName}): empty sheet; expected a header row with a 'text' column.");

        Dictionary<int, string> header = rows[0].Cells;
        int textColumn = FindColumn(header, "text");
        int idColumn = FindColumn(header, "id");
        if (textColumn < 0)
            throw new InvalidDataException(
                $"{path} ({sheetName}) row {rows[0].Number}: the header has no 'text' column (found: {string.Join(", ", header.Values)}).");

        var records = new List<PromptRecord>();
        foreach ((uint number, Dictionary<int, string> cells) in rows.Skip(1))
        {
            string location = $"{path} ({sheetName}) row {number}";
            if (cells.Values.All(string.IsNullOrEmpty))
                continue;
            if (!cells.TryGetValue(textColumn, out string? text) || text.Length == 0)
                throw new InvalidDataException($"{location}: the 'text' cell is empty.");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((int column, string name) in header.OrderBy(h => h.Key))
                if (column != textColumn && column != idColumn && name.Length > 0)
                    metadata[name] = cells.TryGetValue(column, out string? v) ? v : "";
            string? id = idColumn >= 0 && cells.TryGetValue(idColumn, out string? idText) && idText.Length > 0 ? idText : null;
            records.Add(new PromptRecord(id, text, metadata, location));
        }
        return records;
    }

    public static void Write(Stream stream, PromptPool entries)
    {
        List<string> columns = ["id", "text", .. entries.MetadataKeys];
        using SpreadsheetDocument document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook);
        WorkbookPart workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        WorksheetPart worksheet = workbook.AddNewPart<WorksheetPart>();
        var data = new SheetData();
        data.Append(MakeRow(1, columns));
        uint number = 2;
        foreach (PromptPoolEntry entry in entries)
        {
            IEnumerable<string> values = new[] { entry.Id, entry.Template.Text }
                .Concat(columns.Skip(2).Select(c => entry.Metadata.TryGetValue(c, out string? v) ? v : ""));
            data.Append(MakeRow(number++, values));
        }
        worksheet.Worksheet = new Worksheet(data);
        workbook.Workbook.AppendChild(new Sheets(
            new Sheet { Id = workbook.GetIdOfPart(worksheet), SheetId = 1, Name = "prompts" }));
        workbook.Workbook.Save();
    }

    private static Row MakeRow(uint number, IEnumerable<string> values)
    {
        var row = new Row { RowIndex = number };
        int column = 0;
        foreach (string value in values)
        {
            // Inline strings keep the writer simple; Excel and openpyxl read them like shared strings.
            row.Append(new Cell
            {
                CellReference = ColumnName(column++) + number,
                DataType = CellValues.InlineString,
                InlineString = new InlineString(new Text(EncodeText(value)) { Space = SpaceProcessingModeValues.Preserve }),
            });
        }
        return row;
    }

    internal static string EncodeText(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '_' && EscapedCharacter().Match(value, i) is { Success: true } m && m.Index == i)
                builder.Append("_x005F_");
            else if (c < 0x20 && c is not ('\n' or '\t'))
                builder.Append(CultureInfo.InvariantCulture, $"_x{(int)c:X4}_");
            else
                builder.Append(c);
        }
        return builder.ToString();
    }

    internal static string DecodeText(string value) =>
        value.Contains("_x", StringComparison.Ordinal)
            ? EscapedCharacter().Replace(value, m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString())
            : value;

    private static string CellText(Cell cell, List<string> sharedStrings) => DecodeText(RawCellText(cell, sharedStrings));

    private static string RawCellText(Cell cell, List<string> sharedStrings)
    {
        if (cell.DataType?.Value == CellValues.InlineString)
            return cell.InlineString?.InnerText ?? "";
        string raw = cell.CellValue?.Text ?? "";
        if (cell.DataType?.Value == CellValues.SharedString && int.TryParse(raw, out int index))
            return index >= 0 && index < sharedStrings.Count ? sharedStrings[index] : "";
        return raw;
    }

    private static int FindColumn(Dictionary<int, string> header, string name) =>
        header.Where(h => string.Equals(h.Value.Trim(), name, StringComparison.OrdinalIgnoreCase))
            .Select(h => h.Key).DefaultIfEmpty(-1).Min();

    /// <summary>0-based column index of a reference such as <c>AB12</c>.</summary>
    internal static int ColumnIndex(string reference)
    {
        int index = 0;
        foreach (char c in reference)
        {
            if (!char.IsAsciiLetter(c))
                break;
            index = index * 26 + (char.ToUpperInvariant(c) - 'A' + 1);
        }
        return index - 1;
    }

    internal static string ColumnName(int index)
    {
        string name = "";
        for (index++; index > 0; index = (index - 1) / 26)
            name = (char)('A' + (index - 1) % 26) + name;
        return name;
    }
}
