using System.Text.Json.Nodes;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;

namespace Paft.MLNet.Tests.Tasks;

/// <summary>Task definition files: a saved task loads back equal, the JSON has the documented keys, and
/// every kind of bad file is refused in one line naming the file and the key.</summary>
public sealed class TaskDefinitionFileTests
{
    private static readonly TaskDefinition Colors =
        new("colors", ["question", "w", "x", "y"], ["w", "x", "y"], ["1", "2", "3"]);

    [Fact]
    public void A_saved_task_loads_back_with_every_property()
    {
        using var temp = new TempFolder();
        string path = temp.File("sub/task.json");
        TaskDefinitionFile.Save(Colors, path);

        TaskDefinition loaded = TaskDefinitionFile.Load(path);
        Assert.Equal("colors", loaded.Name);
        Assert.Equal(["question", "w", "x", "y"], loaded.Fields);
        Assert.Equal(["w", "x", "y"], loaded.OptionFields);
        Assert.Equal(["1", "2", "3"], loaded.AnswerLabels);
        Assert.Equal(["question"], loaded.ContextFields);

        JsonObject json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.Equal(["format", "version", "name", "fields", "optionFields", "answerLabels"], json.Select(p => p.Key));
        Assert.Equal("paft-task", (string)json["format"]!);
        Assert.Equal(1, (int)json["version"]!);
        Assert.Empty(Directory.GetFiles(temp.File("sub"), "*.tmp", SearchOption.AllDirectories).Concat(
            Directory.GetFiles(temp.File("sub"), ".*")));
    }

    [Fact]
    public void Answer_labels_default_to_letters()
    {
        using var temp = new TempFolder();
        string path = temp.WriteText("t.json",
            """{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a", "b"]}""");
        Assert.Equal(["A", "B"], TaskDefinitionFile.Load(path).AnswerLabels);
    }

    [Theory]
    [InlineData("""[1]""", null, "top level must be a JSON object")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a", "b"], "option_fields": []}""", "option_fields", "is not a key")]
    [InlineData("""{"version": 1, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a", "b"]}""", "format", "must be \"paft-task\"")]
    [InlineData("""{"format": "paft-task", "version": 2, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a", "b"]}""", "version", "must be 1")]
    [InlineData("""{"format": "paft-task", "version": 1, "fields": ["q", "a", "b"], "optionFields": ["a", "b"]}""", "name", "is missing")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": " ", "fields": ["q", "a", "b"], "optionFields": ["a", "b"]}""", "name", "non-blank string")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "optionFields": ["a", "b"]}""", "fields", "is missing")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": "q", "optionFields": ["a", "b"]}""", "fields", "array of strings")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", 3, "b"], "optionFields": ["a", "b"]}""", "fields[1]", "must be a string")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "a", "a"], "optionFields": ["a", "b"]}""", "fields[2]", "named twice")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "{a}", "b"], "optionFields": ["a", "b"]}""", "fields[1]", "plain placeholder name")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "0", "b"], "optionFields": ["0", "b"]}""", "fields[1]", "positional")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["label", "a", "b"], "optionFields": ["a", "b"]}""", "fields[0]", "reserved")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a"]}""", "optionFields", "at least two")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a", "c"]}""", "optionFields[1]", "not one of 'fields'")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a", "a"]}""", "optionFields[1]", "named twice")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a", "b"], "answerLabels": ["A"]}""", "answerLabels", "1 labels for 2")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a", "b"], "answerLabels": ["A", "A"]}""", "answerLabels[1]", "used twice")]
    [InlineData("""{"format": "paft-task", "version": 1, "name": "t", "fields": ["q", "a", "b"], "optionFields": ["a", "b"], "answerLabels": ["A", " B"]}""", "answerLabels[1]", "non-blank label")]
    public void A_bad_file_is_refused_in_one_line_naming_file_and_key(string json, string? key, string problem)
    {
        using var temp = new TempFolder();
        string path = temp.WriteText("bad.json", json);
        var error = Assert.Throws<InvalidDataException>(() => TaskDefinitionFile.Load(path));
        Assert.StartsWith(key is null ? $"Task definition '{path}': " : $"Task definition '{path}', key '{key}': ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Malformed_json_and_a_missing_file_name_the_file()
    {
        using var temp = new TempFolder();
        string path = temp.WriteText("broken.json", """{"format": "paft-task",""");
        var error = Assert.Throws<InvalidDataException>(() => TaskDefinitionFile.Load(path));
        Assert.Contains(path, error.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => TaskDefinitionFile.Load(temp.File("none.json")));
        Assert.Contains("none.json", missing.Message);
    }

    [Fact]
    public void A_task_that_could_not_be_read_back_is_not_saved()
    {
        using var temp = new TempFolder();
        var withLabel = new TaskDefinition("t", ["label", "a", "b"], ["a", "b"]);
        Assert.Throws<ArgumentException>(() => TaskDefinitionFile.Save(withLabel, temp.File("t.json")));
        Assert.False(File.Exists(temp.File("t.json")));
    }

    [Fact]
    public void Rows_written_in_the_generic_layout_read_back_equal()
    {
        using var temp = new TempFolder();
        TaskExample[] rows =
        [
            new(new Dictionary<string, string> { ["question"] = "Sky?\nLine two \"quoted\" é", ["w"] = "blue", ["x"] = "red", ["y"] = "{y}" }, 0),
            new(new Dictionary<string, string> { ["question"] = "Grass?", ["w"] = "blue", ["x"] = "green", ["y"] = "", ["extra"] = "dropped" }, 1),
            new(new Dictionary<string, string> { ["question"] = "Snow?", ["w"] = "black", ["x"] = "red", ["y"] = "white" }, 2),
        ];
        string path = temp.File("data/rows.jsonl");
        TaskDataJsonl.Write(Colors, rows, path);

        TaskReadResult read = TaskReaders.Read(Colors, path);
        Assert.Equal(rows.Length, read.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(rows[i].Label, read[i].Label);
            foreach (string field in Colors.Fields)
                Assert.Equal(rows[i].Fields[field], read[i].Fields[field]);
            Assert.Equal(Colors.Fields.Count, read[i].Fields.Count);
        }
        Assert.Equal(3, File.ReadAllLines(path).Length);
        Assert.Equal("""{"question":"Grass?","w":"blue","x":"green","y":"","label":1}""", File.ReadAllLines(path)[1]);

        // A built-in task written generically reads back through ReadGeneric (Read would expect its benchmark layout).
        var piqa = new TaskExample(new Dictionary<string, string> { ["goal"] = "g", ["sol1"] = "a", ["sol2"] = "b" }, 1);
        string piqaPath = temp.File("piqa.jsonl");
        TaskDataJsonl.Write(TaskDefinition.Piqa, [piqa], piqaPath);
        Assert.Equal("b", TaskReaders.ReadGeneric(TaskDefinition.Piqa, piqaPath).Single().Fields["sol2"]);
        Assert.Equal(1, TaskReaders.ReadGeneric(TaskDefinition.Piqa, piqaPath).Single().Label);
    }

    [Fact]
    public void Rows_that_could_not_be_read_back_are_refused_naming_the_row()
    {
        using var temp = new TempFolder();
        string path = temp.File("rows.jsonl");
        var good = new TaskExample(new Dictionary<string, string> { ["question"] = "q", ["w"] = "a", ["x"] = "b", ["y"] = "c" }, 0);
        var unlabelled = good with { Label = -1, Source = "in.jsonl:7" };
        var error = Assert.Throws<ArgumentException>(() => TaskDataJsonl.Write(Colors, [good, unlabelled], path));
        Assert.Contains("row 1 (in.jsonl:7)", error.Message);
        Assert.Contains("label -1 is outside 0..2", error.Message);

        var lacking = new TaskExample(new Dictionary<string, string> { ["question"] = "q", ["w"] = "a", ["x"] = "b" }, 0);
        error = Assert.Throws<ArgumentException>(() => TaskDataJsonl.Write(Colors, [lacking], path));
        Assert.Contains("row 0", error.Message);
        Assert.Contains("field 'y' is missing", error.Message);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Fact]
    public void A_task_definition_and_its_rows_written_by_one_program_are_read_by_another()
    {
        using var temp = new TempFolder();
        TaskDefinitionFile.Save(Colors, temp.File("task.json"));
        var row = new TaskExample(new Dictionary<string, string> { ["question"] = "q", ["w"] = "a", ["x"] = "b", ["y"] = "c" }, 2);
        TaskDataJsonl.Write(Colors, [row], temp.File("rows.jsonl"));

        TaskDefinition task = TaskDefinitionFile.Load(temp.File("task.json"));
        TaskReadResult read = TaskReaders.Read(task, temp.File("rows.jsonl"));
        Assert.Equal(2, read.Single().Label);
        Assert.Equal("c", read.Single().Fields["y"]);
    }
}
