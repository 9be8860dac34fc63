using System.IO.Compression;
using Paft.MLNet.Connectors;
using Paft.MLNet.Prompts;

namespace Paft.MLNet.Tests.Prompts;

public sealed class PromptPoolFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("paft-pool-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string Write(string name, string content)
    {
        File.WriteAllText(PathOf(name), content);
        return PathOf(name);
    }

    /// <summary>Texts chosen to stress every format: commas, quotes, real newlines, backslash pairs, non-ASCII, braces.</summary>
    private static PromptPool Sample() => new(
    [
        new PromptPoolEntry(PromptTemplate.Parse("Plain {goal}, with a comma and \"quotes\"", "p1"),
            new Dictionary<string, string> { ["source"] = "gpt-4", ["note"] = "first, \"quoted\"" }),
        new PromptPoolEntry(PromptTemplate.Parse("Line one\nLine two {goal}\r\nend", "p2"),
            new Dictionary<string, string> { ["source"] = "offline" }),
        new PromptPoolEntry(PromptTemplate.Parse(@"Escaped\n{goal}\\ {{x}} — naïve", "p3", PromptTextEscaping.BackslashSequences)),
        new PromptPoolEntry(PromptTemplate.Parse("  leading and trailing spaces {goal}  ", "p4")),
    ]);

    private static void AssertSamePool(PromptPool expected, PromptPool actual, bool metadataForEveryColumn)
    {
        Assert.Equal(expected.Select(e => e.Id), actual.Select(e => e.Id));
        Assert.Equal(expected.Select(e => e.Template.Text), actual.Select(e => e.Template.Text));
        for (int i = 0; i < expected.Count; i++)
        {
            foreach ((string key, string value) in expected[i].Metadata)
                Assert.Equal(value, actual[i].Metadata[key]);
            if (!metadataForEveryColumn)
                Assert.Equal(expected[i].Metadata.Count, actual[i].Metadata.Count);
        }
    }

    [Theory]
    [InlineData("pool.jsonl", false)]
    [InlineData("pool.csv", true)]
    [InlineData("pool.xlsx", true)]
    public void RoundTrip_KeepsIdsTextsAndMetadata(string name, bool tabular)
    {
        PromptPool pool = Sample();

        PromptPoolFiles.Save(pool, PathOf(name));
        PromptPool loaded = PromptPoolFiles.Load(PathOf(name), PromptTextEscaping.BackslashSequences);

        // Tabular formats give every row every column (empty where a template had none).
        AssertSamePool(pool, loaded, metadataForEveryColumn: tabular);
        Assert.Equal(pool[2].Template.Render(new Dictionary<string, string> { ["goal"] = "G" }),
            loaded[2].Template.Render(new Dictionary<string, string> { ["goal"] = "G" }));
        Assert.Equal([name], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Jsonl_ReadsIdsAndExtraFields_AndNumbersMissingIds()
    {
        string path = Write("mine.jsonl",
            "{\"id\": \"x1\", \"text\": \"{goal}\", \"generator\": \"llama\", \"score\": 0.5}\n\n{\"text\": \"Q {goal}\"}\n");

        PromptPool pool = PromptPoolFiles.Load(path);

        Assert.Equal(["x1", "mine-001"], pool.Select(e => e.Id));
        Assert.Equal("llama", pool[0].Metadata["generator"]);
        Assert.Equal("0.5", pool[0].Metadata["score"]);
    }

    [Theory]
    [InlineData("{\"id\": \"a\", \"text\": \"{goal}\"}\n{\"id\": \"b\", \"text\": ", "line 2", "not valid JSON")]
    [InlineData("{\"id\": \"a\", \"text\": \"{goal}\"}\n[1, 2]", "line 2", "expected a JSON object")]
    [InlineData("{\"id\": \"a\"}", "line 1", "missing the \"text\" field")]
    [InlineData("{\"id\": \"a\", \"text\": 3}", "line 1", "\"text\" must be a string")]
    [InlineData("{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"a\", \"text\": \"y\"}", "line 2", "already used at")]
    [InlineData("{\"id\": \"a\", \"text\": \"x\"}\n\n{\"id\": \"b\", \"text\": \"oops {goal\"}", "line 3", "Template 'b', position 5")]
    public void Jsonl_MalformedLine_NamesFileAndLine(string content, string line, string reason)
    {
        string path = Write("bad.jsonl", content);

        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path));

        Assert.Contains($"{path} {line}", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Csv_ParsesRfc4180QuotingAcrossLines()
    {
        string path = Write("quoted.csv",
            "text,source\r\n\"He said \"\"hi\"\", then {goal}\",web\r\n\"two\nlines {goal}\",\"a,b\"\r\nsimple {goal},\r\n");

        PromptPool pool = PromptPoolFiles.Load(path);

        Assert.Equal(["He said \"hi\", then {goal}", "two\nlines {goal}", "simple {goal}"], pool.Select(e => e.Template.Text));
        Assert.Equal(["quoted-000", "quoted-001", "quoted-002"], pool.Select(e => e.Id));
        Assert.Equal(["web", "a,b", ""], pool.Select(e => e.Metadata["source"]));
    }

    [Theory]
    [InlineData("id,prompt\r\na,{goal}\r\n", "line 1", "no 'text' column")]
    [InlineData("id,text\r\na,{goal}\r\nb,{goal},extra\r\n", "line 3", "3 fields, but the header has 2")]
    [InlineData("id,text\r\na,\"{goal}\r\n", "line 2", "never closed")]
    [InlineData("id,text\r\na,\"{goal}\"x\r\n", "line 2", "after a closing quote")]
    [InlineData("id,text\r\na,say \"hi\" {goal}\r\n", "line 2", "quote inside an unquoted field")]
    [InlineData("id,text\r\na,\"multi\nline\"\r\nb,{goal\r\n", "line 4", "position 0")]
    public void Csv_Malformed_NamesFileAndLine(string content, string line, string reason)
    {
        string path = Write("bad.csv", content);

        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path));

        Assert.Contains($"{path} {line}", error.Message);
        Assert.Contains(reason, error.Message);
    }

    /// <summary>A minimal workbook as Excel writes it: every cell points into the shared-string table.</summary>
    private static void WriteExcelStyleWorkbook(string path, string[] strings, params (int Row, int Column, int String)[] cells)
    {
        using ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create);
        void Add(string name, string xml)
        {
            using var writer = new StreamWriter(zip.CreateEntry(name).Open());
            writer.Write(xml);
        }
        Add("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>""");
        Add("_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""");
        Add("xl/workbook.xml", """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>""");
        Add("xl/_rels/workbook.xml.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>""");
        string items = string.Concat(strings.Select(s => $"<si><t xml:space=\"preserve\">{System.Security.SecurityElement.Escape(s)}</t></si>"));
        Add("xl/sharedStrings.xml", $"""<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>""");
        string rows = string.Concat(cells.GroupBy(c => c.Row).Select(row =>
            $"<row r=\"{row.Key}\">" + string.Concat(row.Select(c => $"<c r=\"{PromptPoolXlsx.ColumnName(c.Column)}{c.Row}\" t=\"s\"><v>{c.String}</v></c>")) + "</row>"));
        Add("xl/worksheets/sheet1.xml", $"""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>""");
    }

    [Fact]
    public void Xlsx_ReadsSharedStringsAndSkipsEmptyRows()
    {
        string path = PathOf("excel.xlsx");
        WriteExcelStyleWorkbook(path,
            ["text", @"Pick: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "{goal} {sol1} {sol2}", "carriage_x000D_return {goal}"],
            (1, 0, 0), (2, 0, 1), (4, 0, 2), (5, 0, 3));

        PromptPool pool = PromptPoolFiles.Load(path, PromptTextEscaping.BackslashSequences);

        Assert.Equal(["excel-000", "excel-001", "excel-002"], pool.Select(e => e.Id));
        Assert.Equal("Pick: x\nA. y\nB. z\nAnswer:",
            pool[0].Template.Render(new Dictionary<string, string> { ["goal"] = "x", ["sol1"] = "y", ["sol2"] = "z" }));
        Assert.Equal("carriage\rreturn {goal}", pool[2].Template.Text);
    }

    [Fact]
    public void Xlsx_WithoutTextColumn_NamesFileAndRow()
    {
        string path = PathOf("noheader.xlsx");
        WriteExcelStyleWorkbook(path, ["prompt", "{goal}"], (1, 0, 0), (2, 0, 1));

        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path));

        Assert.Contains($"{path} (Sheet1) row 1", error.Message);
        Assert.Contains("no 'text' column", error.Message);
    }

    [Fact]
    public void Xlsx_EmptyTextCell_NamesRow()
    {
        string path = PathOf("gap.xlsx");
        WriteExcelStyleWorkbook(path, ["id", "text", "a", "{goal}", "b"], (1, 0, 0), (1, 1, 1), (2, 0, 2), (2, 1, 3), (3, 0, 4));

        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path));

        Assert.Contains($"{path} (Sheet1) row 3", error.Message);
        Assert.Contains("'text' cell is empty", error.Message);
    }

    [Fact]
    public void Xlsx_NotAWorkbook_NamesFile()
    {
        string path = Write("broken.xlsx", "this is not a zip file");

        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path));

        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\rb", "a_x000D_b")]
    [InlineData("keep _x0041_ literal", "keep _x005F_x0041_ literal")]
    [InlineData("new\nline\ttab", "new\nline\ttab")]
    public void Xlsx_TextEscapesRoundTrip(string text, string encoded)
    {
        Assert.Equal(encoded, PromptPoolXlsx.EncodeText(text));
        Assert.Equal(text, PromptPoolXlsx.DecodeText(encoded));
    }

    [Fact]
    public void Save_ReplacesExistingFileAndLeavesNoTemporaryFile()
    {
        string path = Write("pool.jsonl", "old content that is not a pool");

        Sample().Save(path);

        Assert.Equal(4, PromptPoolFiles.Load(path, PromptTextEscaping.BackslashSequences).Count);
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Load_UnknownExtensionOrMissingFile_SaysWhich()
    {
        Assert.Contains(".txt", Assert.Throws<ArgumentException>(() => PromptPoolFiles.Load(Write("p.txt", "x"))).Message);
        Assert.Contains("nope.jsonl", Assert.Throws<FileNotFoundException>(() => PromptPoolFiles.Load(PathOf("nope.jsonl"))).Message);
    }
}
