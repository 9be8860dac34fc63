using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.Tests.Common;

namespace Paft.MLNet.Tests.Tasks;

/// <summary>
/// Every row of every benchmark file in ../shared loads with the right label; a few rows are compared
/// with the raw JSON parsed here independently of the readers.
/// </summary>
public sealed class BenchmarkReaderTests
{
    private static string Bench(params string[] parts) => SharedData.Path(["benchmarks", .. parts]);

    private static List<JsonObject> RawRows(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private static Dictionary<int, int> Distribution(IEnumerable<TaskExample> rows) =>
        rows.GroupBy(r => r.Label).ToDictionary(g => g.Key, g => g.Count());

    [SharedFact]
    public void HellaSwag_reads_every_row_with_its_label()
    {
        string path = Bench("hellaswag", "hellaswag_val_sample1000.jsonl");
        TaskReadResult rows = TaskReaders.ReadHellaSwag(path);
        var raw = RawRows(path);

        Assert.Equal(1000, rows.Count);
        Assert.Equal(0, rows.SkippedCount);
        Assert.Same(TaskDefinition.HellaSwag, rows.Task);
        Assert.Equal(raw.Select(r => (int)r["label"]!), rows.Select(r => r.Label));
        Assert.Equal(Distribution(raw.Select(r => new TaskExample(new Dictionary<string, string>(), (int)r["label"]!))), Distribution(rows));
        Assert.All(rows, r => Assert.InRange(r.Label, 0, 3));
        Assert.Equal("hellaswag_val_sample1000.jsonl:1", rows[0].Source);
    }

    /// <summary>The context rule of lm-evaluation-harness, written out here step by step.</summary>
    [SharedFact]
    public void HellaSwag_context_is_built_as_lm_evaluation_harness_builds_it()
    {
        string path = Bench("hellaswag", "hellaswag_val_sample1000.jsonl");
        TaskReadResult rows = TaskReaders.ReadHellaSwag(path);
        var raw = RawRows(path);

        static string Clean(string s)
        {
            s = s.Trim().Replace(" [title]", ". ");
            s = Regex.Replace(s, @"\[.*?\]", "");
            return s.Replace("  ", " ");
        }

        int wikiHowRows = 0;
        for (int i = 0; i < raw.Count; i++)
        {
            string ctxB = (string)raw[i]["ctx_b"]!;
            string capitalised = ctxB.Length == 0 ? "" : ctxB[..1].ToUpperInvariant() + ctxB[1..].ToLowerInvariant();
            string query = Clean((string)raw[i]["activity_label"]! + ": " + (string)raw[i]["ctx_a"]! + " " + capitalised);
            string expected = query[(query.IndexOf(": ", StringComparison.Ordinal) + 2)..];
            Assert.Equal(expected, rows[i].Fields["ctx"]);
            var endings = raw[i]["endings"]!.AsArray().Select(e => Clean((string)e!)).ToArray();
            Assert.Equal(endings, new[] { "A", "B", "C", "D" }.Select(k => rows[i].Fields[k]));
            if (((string)raw[i]["ctx"]!).Contains('[')) wikiHowRows++;
        }
        // The sample must exercise the bracket cleaning, else this test proves little.
        Assert.True(wikiHowRows > 0);

        // Row 1 by hand: ctx_a + " " + "A few women" (ctx_b "a few women" capitalised).
        Assert.StartsWith((string)raw[0]["ctx_a"]!, rows[0].Fields["ctx"]);
        Assert.EndsWith(" A few women", rows[0].Fields["ctx"]);
    }

    [SharedFact]
    public void HellaSwag_raw_context_is_kept_when_preprocessing_is_off()
    {
        string path = Bench("hellaswag", "hellaswag_val_sample1000.jsonl");
        var rows = TaskReaders.ReadHellaSwag(path, new ReaderOptions { PreprocessHellaSwag = false });
        var raw = RawRows(path);
        for (int i = 0; i < raw.Count; i += 97)
        {
            Assert.Equal((string)raw[i]["ctx"]!, rows[i].Fields["ctx"]);
            Assert.Equal((string)raw[i]["endings"]![2]!, rows[i].Fields["C"]);
        }
    }

    [SharedFact]
    public void Piqa_reads_every_row_with_the_labels_file_found_beside_it()
    {
        string path = Bench("piqa", "valid.jsonl");
        TaskReadResult rows = TaskReaders.ReadPiqa(path);
        var raw = RawRows(path);
        var labels = File.ReadAllLines(Bench("piqa", "valid-labels.lst")).Where(l => l.Length > 0).Select(int.Parse).ToList();

        Assert.Equal(1838, rows.Count);
        Assert.Equal(labels, rows.Select(r => r.Label));
        Assert.Equal(2, Distribution(rows).Count);
        foreach (int i in new[] { 0, 1, 917, 1837 })
        {
            Assert.Equal((string)raw[i]["goal"]!, rows[i].Fields["goal"]);
            Assert.Equal((string)raw[i]["sol1"]!, rows[i].Fields["sol1"]);
            Assert.Equal((string)raw[i]["sol2"]!, rows[i].Fields["sol2"]);
        }

        // The same file with the labels path given explicitly, and through the generic entry point.
        Assert.Equal(labels, TaskReaders.ReadPiqa(path, Bench("piqa", "valid-labels.lst")).Select(r => r.Label));
        Assert.Equal(labels, TaskReaders.Read(TaskDefinition.Piqa, path).Select(r => r.Label));
    }

    [SharedFact]
    public void WinoGrande_reads_every_row_and_prompt_plus_option_rebuilds_the_sentence()
    {
        string path = Bench("winogrande", "dev.jsonl");
        TaskReadResult rows = TaskReaders.ReadWinoGrande(path);
        var raw = RawRows(path);
        var labelsFile = File.ReadAllLines(Bench("winogrande", "dev-labels.lst")).Where(l => l.Length > 0).Select(int.Parse).ToList();

        Assert.Equal(1267, rows.Count);
        Assert.Equal(raw.Select(r => int.Parse((string)r["answer"]!) - 1), rows.Select(r => r.Label));
        Assert.Equal(labelsFile.Select(l => l - 1), rows.Select(r => r.Label));
        for (int i = 0; i < raw.Count; i++)
        {
            string sentence = (string)raw[i]["sentence"]!;
            string prompt = rows[i].Fields["prompt"];
            Assert.Equal(sentence, prompt);
            Assert.Equal((string)raw[i]["option1"]!, rows[i].Fields["only_option1"]);
            Assert.Equal((string)raw[i]["option2"]!, rows[i].Fields["only_option2"]);
            // Text before the blank + the correct filler + text after it = the completed sentence.
            int blank = prompt.IndexOf('_');
            string filler = rows[i].Fields[rows[i].Label == 0 ? "only_option1" : "only_option2"];
            string rebuilt = prompt[..blank] + filler + prompt[(blank + 1)..];
            Assert.Equal(sentence.Replace("_", filler), rebuilt);
            Assert.DoesNotContain("_", rebuilt.Replace(filler, ""));
        }
    }

    [SharedFact]
    public void Race_rows_read_every_row_with_letter_labels()
    {
        string path = Bench("race", "validation_middle.jsonl");
        TaskReadResult rows = TaskReaders.ReadRace(path);
        var raw = RawRows(path);

        Assert.Equal(1436, rows.Count);
        Assert.Equal(raw.Select(r => "ABCD".IndexOf((string)r["answer"]!, StringComparison.Ordinal)), rows.Select(r => r.Label));
        Assert.Equal(4, Distribution(rows).Count);
        foreach (int i in new[] { 0, 700, 1435 })
        {
            Assert.Equal((string)raw[i]["article"]!, rows[i].Fields["article"]);
            Assert.Equal((string)raw[i]["question"]!, rows[i].Fields["question"]);
            Assert.Equal((string)raw[i]["options"]![3]!, rows[i].Fields["D"]);
        }
        Assert.Equal(1436, TaskReaders.Read(TaskDefinition.Race, path).Count);
    }

    [SharedFact]
    public void Race_original_files_give_one_example_per_question()
    {
        string folder = Bench("race", "original");
        var files = Directory.GetFiles(folder, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var articles = files.Select(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject()).ToList();
        var expectedLabels = articles.SelectMany(a => a["answers"]!.AsArray().Select(x => "ABCD".IndexOf((string)x!, StringComparison.Ordinal))).ToList();

        TaskReadResult rows = TaskReaders.ReadRaceOriginal(folder);

        Assert.Equal(100, files.Count);
        Assert.Equal(expectedLabels.Count, rows.Count);
        Assert.Equal(expectedLabels, rows.Select(r => r.Label));
        Assert.DoesNotContain(-1, expectedLabels);

        // The first article's questions, in order, share its text.
        var first = articles[0];
        var firstQuestions = first["questions"]!.AsArray();
        for (int q = 0; q < firstQuestions.Count; q++)
        {
            Assert.Equal((string)first["article"]!, rows[q].Fields["article"]);
            Assert.Equal((string)firstQuestions[q]!, rows[q].Fields["question"]);
            Assert.Equal((string)first["options"]![q]![1]!, rows[q].Fields["B"]);
        }

        // One folder at a time and the generic entry point agree with the whole.
        int high = TaskReaders.ReadRaceOriginal(Path.Combine(folder, "high")).Count;
        int middle = TaskReaders.Read(TaskDefinition.Race, Path.Combine(folder, "middle")).Count;
        Assert.Equal(rows.Count, high + middle);
        Assert.Equal(firstQuestions.Count, TaskReaders.ReadRaceOriginal(files[0]).Count);
    }
}
