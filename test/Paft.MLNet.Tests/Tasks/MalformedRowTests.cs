using Microsoft.ML.Data;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;

namespace Paft.MLNet.Tests.Tasks;

/// <summary>Broken files written to a temp folder: errors name file, line and problem; skip mode counts.</summary>
public sealed class MalformedRowTests
{
    private const string GoodHellaSwag =
        """{"activity_label": "Cooking", "ctx_a": "A man cuts bread.", "ctx_b": "he", "ctx": "A man cuts bread. he", "endings": ["a", "b", "c", "d"], "label": 2}""";

    private static readonly ReaderOptions Skip = new() { SkipMalformedRows = true };

    [Theory]
    [InlineData("""{"activity_label": "x", "ctx_a": "a", "ctx_b": "b", "endings": ["a", "b", "c"], "label": 0}""", "'endings' should hold 4 items but holds 3")]
    [InlineData("""{"activity_label": "x", "ctx_a": "a", "ctx_b": "b", "endings": ["a", "b", "c", "d"]}""", "field 'label' is missing")]
    [InlineData("""{"activity_label": "x", "ctx_a": "a", "ctx_b": "b", "endings": ["a", "b", "c", "d"], "label": 4}""", "field 'label' is 4, outside 0..3")]
    [InlineData("""{"activity_label": "x", "ctx_b": "b", "endings": ["a", "b", "c", "d"], "label": 1}""", "field 'ctx_a' is missing")]
    [InlineData("""{"activity_label": "x", "ctx_a": 5, "ctx_b": "b", "endings": ["a", "b", "c", "d"], "label": 1}""", "field 'ctx_a' should be a string but is a number")]
    [InlineData("""{"activity_label": "x", "ctx_a": "a", "ctx_b": "b", "endings": ["a", "b", "c", "d"], "label": 1""", "malformed JSON")]
    [InlineData("""[1, 2]""", "expected a JSON object, found an array")]
    public void HellaSwag_bad_row_names_file_line_and_problem(string badRow, string problem)
    {
        using var temp = new TempFolder();
        string path = temp.Write("h.jsonl", GoodHellaSwag, GoodHellaSwag, badRow, GoodHellaSwag);

        var error = Assert.Throws<TaskDataException>(() => TaskReaders.ReadHellaSwag(path));
        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.Line);
        Assert.Contains(problem, error.Message);
        Assert.StartsWith($"{path}, line 3: ", error.Message);

        TaskReadResult skipped = TaskReaders.ReadHellaSwag(path, Skip);
        Assert.Equal(3, skipped.Count);
        Assert.Equal(1, skipped.SkippedCount);
        Assert.Equal(3, skipped.SkippedRows[0].Line);
        Assert.Equal(["h.jsonl:1", "h.jsonl:2", "h.jsonl:4"], skipped.Select(r => r.Source));
    }

    [Fact]
    public void Skip_mode_counts_every_bad_row_and_keeps_the_good_ones()
    {
        using var temp = new TempFolder();
        string path = temp.Write("w.jsonl",
            """{"sentence": "A _ b.", "option1": "x", "option2": "y", "answer": "1"}""",
            """{"sentence": "no blank", "option1": "x", "option2": "y", "answer": "1"}""",
            """{"sentence": "A _ b.", "option1": "x", "option2": "y", "answer": "3"}""",
            "",
            """{"sentence": "A _ b.", "option1": "x", "answer": "2"}""",
            """{"sentence": "C _ d.", "option1": "x", "option2": "y", "answer": "2"}""");

        var result = TaskReaders.ReadWinoGrande(path, Skip);
        Assert.Equal([0, 1], result.Select(r => r.Label));
        Assert.Equal([2, 3, 5], result.SkippedRows.Select(e => e.Line));
        Assert.Contains("has no '_' blank", result.SkippedRows[0].Problem);
        Assert.Contains("'answer' is 3, not 1 or 2", result.SkippedRows[1].Problem);
        Assert.Contains("'option2' is missing", result.SkippedRows[2].Problem);

        var error = Assert.Throws<TaskDataException>(() => TaskReaders.ReadWinoGrande(path));
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Piqa_bad_label_names_the_labels_file_and_a_short_labels_file_is_a_file_error()
    {
        using var temp = new TempFolder();
        string row = """{"goal": "g", "sol1": "a", "sol2": "b"}""";
        string path = temp.Write("valid.jsonl", row, row, row);
        string labels = temp.Write("valid-labels.lst", "0", "x", "1");

        var error = Assert.Throws<TaskDataException>(() => TaskReaders.ReadPiqa(path));
        Assert.Equal(labels, error.FilePath);
        Assert.Equal(2, error.Line);
        Assert.Contains("'x' is not 0 or 1", error.Message);

        var result = TaskReaders.ReadPiqa(path, options: Skip);
        Assert.Equal([0, 1], result.Select(r => r.Label));
        Assert.Equal(1, result.SkippedCount);

        string shortLabels = temp.Write("other.lst", "0", "1");
        var mismatch = Assert.Throws<TaskDataException>(() => TaskReaders.ReadPiqa(path, shortLabels, Skip));
        Assert.Contains("holds 2 labels but", mismatch.Message);
        Assert.Contains("has 3 lines", mismatch.Message);

        // No labels file beside it: the rows are unlabelled.
        string lone = temp.Write(Path.Combine("sub", "test.jsonl"), row);
        Assert.Equal([-1], TaskReaders.ReadPiqa(lone).Select(r => r.Label));
    }

    [Fact]
    public void Race_bad_original_file_is_one_skipped_row_and_bad_hf_row_names_its_line()
    {
        using var temp = new TempFolder();
        temp.Write(Path.Combine("race", "1.txt"),
            """{"article": "Text.", "questions": ["Q1?", "Q2?"], "options": [["a","b","c","d"], ["e","f","g","h"]], "answers": ["B", "D"], "id": "1.txt"}""");
        string bad = temp.Write(Path.Combine("race", "2.txt"),
            """{"article": "Text.", "questions": ["Q1?", "Q2?"], "options": [["a","b","c","d"], ["e","f","g"]], "answers": ["B", "D"]}""");

        var error = Assert.Throws<TaskDataException>(() => TaskReaders.ReadRaceOriginal(Path.Combine(temp.Path, "race")));
        Assert.Equal(bad, error.FilePath);
        Assert.Contains("'options'[1] should hold 4 items but holds 3", error.Message);

        var result = TaskReaders.ReadRaceOriginal(Path.Combine(temp.Path, "race"), Skip);
        Assert.Equal([1, 3], result.Select(r => r.Label));
        Assert.Equal(["1.txt#1", "1.txt#2"], result.Select(r => r.Source));
        Assert.Equal(1, result.SkippedCount);

        string rows = temp.Write("race.jsonl",
            """{"article": "T", "question": "Q", "options": ["a","b","c","d"], "answer": "C"}""",
            """{"article": "T", "question": "Q", "options": ["a","b","c","d"], "answer": "E"}""");
        var rowError = Assert.Throws<TaskDataException>(() => TaskReaders.Read(TaskDefinition.Race, rows));
        Assert.Equal(2, rowError.Line);
        Assert.Contains("'answer' is 'E', not one of A, B, C, D", rowError.Message);
    }

    [Fact]
    public void Missing_file_says_which()
    {
        var error = Assert.Throws<FileNotFoundException>(() => TaskReaders.ReadHellaSwag("/nonexistent/h.jsonl"));
        Assert.Contains("/nonexistent/h.jsonl", error.Message);
    }

    [Fact]
    public void Custom_task_reads_fields_by_name_and_label_as_index_or_letter()
    {
        using var temp = new TempFolder();
        var task = new TaskDefinition("yesno", ["question", "yes", "no"], ["yes", "no"]);
        string path = temp.Write("t.jsonl",
            """{"question": "Q1", "yes": "Yes", "no": "No", "label": 1}""",
            """{"question": "Q2", "yes": "Yes", "no": "No", "label": "A"}""",
            """{"question": "Q3", "yes": "Yes", "label": 0}""");

        var error = Assert.Throws<TaskDataException>(() => TaskReaders.Read(task, path));
        Assert.Equal(3, error.Line);
        Assert.Contains("field 'no' is missing", error.Message);

        var result = TaskReaders.Read(task, path, Skip);
        Assert.Equal([1, 0], result.Select(r => r.Label));
        Assert.Equal("Q2", result[1].Fields["question"]);
    }
}

/// <summary>Rows of the unlabelled test splits: an empty label is -1, not an error.</summary>
public sealed class UnlabelledRowTests
{
    [Fact]
    public void Empty_labels_of_test_splits_read_as_unlabelled()
    {
        using var temp = new TempFolder();
        string hellaswag = temp.Write("h.jsonl",
            """{"activity_label": "Cooking", "ctx_a": "A man cuts bread.", "ctx_b": "HE then", "endings": ["a [title] b", "b", "c", "d"], "label": ""}""");
        string winogrande = temp.Write("w.jsonl", """{"sentence": "A _ b.", "option1": "x", "option2": "y", "answer": ""}""");

        TaskExample h = Assert.Single(TaskReaders.ReadHellaSwag(hellaswag));
        Assert.Equal(-1, h.Label);
        // ctx_b capitalised as Python's str.capitalize does (rest lower-cased); " [title]" becomes ". ".
        Assert.Equal("A man cuts bread. He then", h.Fields["ctx"]);
        Assert.Equal("a. b", h.Fields["A"]);

        Assert.Equal(-1, Assert.Single(TaskReaders.ReadWinoGrande(winogrande)).Label);
        Assert.Equal([0u], TaskReaders.ReadWinoGrande(winogrande).ToDataView().GetColumn<uint>("Label"));
    }
}
