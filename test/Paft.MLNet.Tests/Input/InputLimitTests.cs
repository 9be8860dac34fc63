using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Paft.MLNet.Connectors;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.Tests.Common;

namespace Paft.MLNet.Tests.Input;

/// <summary>
/// Issue 13: every reader of user files refuses a file over a size limit in one line naming the file and the limit,
/// and refuses bytes that are not UTF-8 with their offset, instead of exhausting memory or replacing them silently.
/// </summary>
[Collection(MemoryMeasurement.Name)]
public sealed class InputLimitTests : IDisposable
{
    private const long Megabyte = 1L << 20;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Line(string id, string text) => JsonSerializer.Serialize(new { id, text });

    /// <summary>A real workbook (written by <see cref="PromptPool.Save"/>) whose sheet is replaced by one that inflates to
    /// <paramref name="inflatedBytes"/>: a header row and one 'text' cell of that many letters. Small on disk.</summary>
    private string WriteXlsxBomb(string name, long inflatedBytes)
    {
        string source = _folder.File("source-" + name);
        PromptPoolFiles.Save(PromptPool.FromTemplates([PromptTemplate.Parse("Goal: {goal} Answer:", "t1")]), source);
        string path = _folder.File(name);
        // Copied entry by entry into a new file: Update mode would hold the whole bomb in memory while writing it.
        using (ZipArchive original = ZipFile.OpenRead(source))
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (ZipArchiveEntry entry in original.Entries)
            {
                using Stream stream = zip.CreateEntry(entry.FullName, CompressionLevel.Fastest).Open();
                if (!entry.FullName.Contains("worksheets/", StringComparison.Ordinal))
                {
                    using Stream content = entry.Open();
                    content.CopyTo(stream);
                    continue;
                }
                stream.Write(Encoding.UTF8.GetBytes(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><x:sheetData>" +
                    "<x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>text</x:t></x:is></x:c></x:row>" +
                    "<x:row r=\"2\"><x:c r=\"A2\" t=\"inlineStr\"><x:is><x:t>"));
                byte[] letters = new byte[Megabyte];
                Array.Fill(letters, (byte)'A');
                for (long written = 0; written < inflatedBytes; written += letters.Length)
                    stream.Write(letters, 0, (int)Math.Min(letters.Length, inflatedBytes - written));
                stream.Write(Encoding.UTF8.GetBytes("</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>"));
            }
        }
        return path;
    }

    [Fact]
    public void XlsxBomb_IsRefusedNamingFileAndLimit_WithLittleMemory()
    {
        // 320 MB of sheet in a file of a few MB; the reader used to build all of it in memory (a 3 GB one reached 4.3 GB RSS).
        string path = WriteXlsxBomb("bomb.xlsx", 320 * Megabyte);
        Assert.True(new FileInfo(path).Length < 4 * Megabyte, $"the bomb should be small on disk, is {new FileInfo(path).Length} bytes");

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        InvalidDataException error;
        using (WorkingSetSampler memory = WorkingSetSampler.Start())
        {
            error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path));
            memory.Dispose();
            Assert.True(memory.PeakGrowth < 500 * Megabyte, $"resident memory grew by {memory.PeakGrowth / Megabyte} MB");
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.True(allocated < 100 * Megabyte, $"reading the bomb allocated {allocated / Megabyte} MB");
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith(path + ":", error.Message);
        Assert.Contains("InputLimits.MaxXlsxEntryBytes = 67,108,864", error.Message);
        Assert.Contains("declares 335,", error.Message);
    }

    /// <summary>Makes the zip understate the inflated size of <paramref name="entryName"/> (local header and central directory).</summary>
    private static void UnderstateSize(string path, string entryName, uint declared)
    {
        byte[] zip = File.ReadAllBytes(path);
        byte[] name = Encoding.UTF8.GetBytes(entryName);
        int patched = 0;
        for (int i = 0; i + 46 < zip.Length; i++)
        {
            if (zip[i] != 0x50 || zip[i + 1] != 0x4B)
                continue;
            // Local file header: size at 22, name length at 26, name at 30. Central directory header: size at 24, name length at 28, name at 46.
            (int sizeAt, int nameLengthAt, int nameAt) = (zip[i + 2], zip[i + 3]) switch
            {
                (3, 4) => (22, 26, 30),
                (1, 2) => (24, 28, 46),
                _ => (-1, 0, 0),
            };
            if (sizeAt < 0 || BitConverter.ToUInt16(zip, i + nameLengthAt) != name.Length || !zip.AsSpan(i + nameAt, name.Length).SequenceEqual(name))
                continue;
            BitConverter.TryWriteBytes(zip.AsSpan(i + sizeAt, 4), declared);
            patched++;
        }
        Assert.Equal(2, patched);
        File.WriteAllBytes(path, zip);
    }

    [Fact]
    public void XlsxEntryThatUnderstatesItsSize_IsInflatedOnlyToTheStatedSize_AndRefusedInOneLine()
    {
        string path = WriteXlsxBomb("liar.xlsx", 3 * Megabyte);
        UnderstateSize(path, "xl/worksheets/sheet1.xml", 1000);
        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path, limits: new InputLimits { MaxXlsxEntryBytes = 2 * Megabyte }));
        Assert.StartsWith(path + ":", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("not a readable .xlsx workbook", error.Message);
    }

    [Fact]
    public void XlsxEntryOverTheLimit_IsRefusedByItsDeclaredSize_AndALargerLimitReadsIt()
    {
        string path = WriteXlsxBomb("big.xlsx", 3 * Megabyte);
        var tight = new InputLimits { MaxXlsxEntryBytes = 2 * Megabyte, MaxTemplateLength = int.MaxValue, MaxFieldLength = int.MaxValue };
        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path, limits: tight));
        Assert.Equal($"{path}: workbook part 'xl/worksheets/sheet1.xml' declares 3,146,046 bytes inflated " +
                     "(limit InputLimits.MaxXlsxEntryBytes = 2,097,152); refused as a possible zip bomb.", error.Message);
        Assert.Contains("InputLimits.MaxXlsxEntryBytes = 2,097,152", error.Message);

        var roomy = tight with { MaxXlsxEntryBytes = 4 * Megabyte };
        PromptPool pool = PromptPoolFiles.Load(path, limits: roomy);
        Assert.Equal(3 * Megabyte, pool.Single().Template.Text.Length);
    }

    [Fact]
    public void XlsxCellOverTheFieldLimit_IsRefusedNamingTheCell()
    {
        string path = WriteXlsxBomb("cell.xlsx", 5000);
        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path, limits: new InputLimits { MaxFieldLength = 4096 }));
        Assert.Contains(path, error.Message);
        Assert.Contains("cell A2", error.Message);
        Assert.Contains("InputLimits.MaxFieldLength = 4,096", error.Message);
    }

    [Fact]
    public void JsonlPoolLineOverTheLimit_IsRefusedNamingFileLineAndLimit()
    {
        string path = _folder.Write("pool.jsonl", Line("a", "Goal: {goal} Answer:"), Line("b", "Goal: {goal} " + new string('x', 3000) + " Answer:"));
        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path, limits: new InputLimits { MaxLineBytes = 2048 }));
        Assert.Equal($"{path} line 2: longer than 2,048 bytes (limit InputLimits.MaxLineBytes = 2,048).", error.Message);
        Assert.Equal(2, PromptPoolFiles.Load(path).Count); // the default limit reads it
    }

    [Fact]
    public void TaskRowLineOverTheLimit_IsRefusedNamingFileLineAndLimit()
    {
        string row = JsonSerializer.Serialize(new { goal = "g", sol1 = "a", sol2 = new string('b', 5000), label = 0 });
        string path = _folder.Write("rows.jsonl", JsonSerializer.Serialize(new { goal = "g", sol1 = "a", sol2 = "b", label = 1 }), row);
        var options = new ReaderOptions { Limits = new InputLimits { MaxLineBytes = 4096 } };
        var error = Assert.Throws<InvalidDataException>(() => TaskReaders.Read(TaskDefinition.Piqa, path, options));
        Assert.Equal($"{path} line 2: longer than 4,096 bytes (limit InputLimits.MaxLineBytes = 4,096).", error.Message);
        Assert.Equal(2, TaskReaders.Read(TaskDefinition.Piqa, path).Count);
    }

    [Fact]
    public void CsvFieldOverTheLimit_IsRefusedNamingFileLineAndLimit()
    {
        string path = _folder.Write("pool.csv", "id,text", "a,Goal: {goal} Answer:", "b,\"Goal: {goal} " + new string('x', 3000) + "\"");
        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path, limits: new InputLimits { MaxFieldLength = 1000 }));
        Assert.Equal($"{path} line 3: a field longer than 1,000 characters (limit InputLimits.MaxFieldLength = 1,000).", error.Message);
    }

    [Fact]
    public void TemplateOverTheLimit_IsRefusedNamingFileLineAndLimit_InEveryFormat()
    {
        string text = "Goal: {goal} " + new string('x', 70_000) + " Answer:";
        string jsonl = _folder.Write("long.jsonl", Line("a", text));
        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(jsonl));
        Assert.Equal($"{jsonl} line 1: the template is 70,021 characters long (limit InputLimits.MaxTemplateLength = 65,536).", error.Message);

        string csv = _folder.Write("long.csv", "text", text);
        Assert.Contains("InputLimits.MaxTemplateLength", Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(csv)).Message);
        Assert.Contains("InputLimits.MaxTemplateLength", Assert.Throws<InvalidDataException>(() =>
            PromptPoolFiles.CheckFile(csv, TaskDefinition.Piqa)).Message);
        Assert.Single(PromptPoolFiles.Load(csv, limits: new InputLimits { MaxTemplateLength = 100_000 }));
    }

    [Fact]
    public void InvalidUtf8InAJsonlPool_IsRefusedWithItsByteOffset()
    {
        byte[] first = Encoding.UTF8.GetBytes(Line("a", "Goal: {goal} Answer:") + "\n");
        byte[] second = [.. Encoding.UTF8.GetBytes("{\"id\":\"b\",\"text\":\"caf"), 0xE9, .. Encoding.UTF8.GetBytes(" {goal} Answer:\"}\n")];
        string path = _folder.WriteBytes("latin1.jsonl", [.. first, .. second]);
        long offset = first.Length + "{\"id\":\"b\",\"text\":\"caf".Length;
        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(path));
        Assert.Equal($"{path} line 2: invalid UTF-8 at byte offset {offset} (byte 0xE9); the file must be UTF-8 text.", error.Message);
    }

    [Fact]
    public void InvalidUtf8InACsvPoolAndInTaskRows_IsRefusedWithItsByteOffset()
    {
        byte[] csv = [.. Encoding.UTF8.GetBytes("id,text\na,Goal {goal} "), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(" Answer:\n")];
        string csvPath = _folder.WriteBytes("bad.csv", csv);
        var error = Assert.Throws<InvalidDataException>(() => PromptPoolFiles.Load(csvPath));
        Assert.Equal($"{csvPath}: invalid UTF-8 at byte offset 22 (byte 0xC3); the file must be UTF-8 text.", error.Message);

        byte[] row = [.. Encoding.UTF8.GetBytes("{\"goal\":\"g\",\"sol1\":\"a"), 0xFF, .. Encoding.UTF8.GetBytes("\",\"sol2\":\"b\",\"label\":0}\n")];
        string rows = _folder.WriteBytes("rows.jsonl", row);
        var rowError = Assert.Throws<InvalidDataException>(() => TaskReaders.Read(TaskDefinition.Piqa, rows));
        Assert.Equal($"{rows} line 1: invalid UTF-8 at byte offset 21 (byte 0xFF); the file must be UTF-8 text.", rowError.Message);
    }

    [Fact]
    public void Utf8WithAByteOrderMarkAndCrLf_IsStillRead()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Line("a", "Café {goal} Answer:") + "\r\n" + Line("b", "Naïve {goal} Answer:") + "\r\n")];
        string path = _folder.WriteBytes("bom.jsonl", bytes);
        PromptPool pool = PromptPoolFiles.Load(path);
        Assert.Equal(["Café {goal} Answer:", "Naïve {goal} Answer:"], pool.Select(e => e.Template.Text));
    }

    [Fact]
    public void NonPositiveLimit_IsAnArgumentError()
    {
        string path = _folder.Write("pool.jsonl", Line("a", "Goal: {goal} Answer:"));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PromptPoolFiles.Load(path, limits: new InputLimits { MaxLineBytes = 0 }));
        Assert.Equal(nameof(InputLimits.MaxLineBytes), error.ParamName);
    }
}
