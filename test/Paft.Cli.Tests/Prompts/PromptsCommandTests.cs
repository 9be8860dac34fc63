using Paft.MLNet.Connectors;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Prompts;

public sealed class PromptsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("paft-cli-prompts-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private string Write(string name, params string[] lines)
    {
        File.WriteAllLines(PathOf(name), lines);
        return PathOf(name);
    }

    private static string Line(string id, string text) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = id, ["text"] = text });

    [Fact]
    public void Validate_ValidPool_ExitsZeroWithVerdictPerTemplate()
    {
        string pool = Write("ok.jsonl", Line("a", "{goal}\nA. {sol1}\nB. {sol2}\nAnswer:"), Line("b", "Pick: {goal} (A) {sol1} (B) {sol2}"));

        CliRunner.Result result = CliRunner.Run("prompts", "validate", "--task", "piqa", "--prompts", pool);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("OK       a", result.Output);
        Assert.Contains("OK       b", result.Output);
        Assert.Contains("2 templates for task 'piqa': 2 valid, 0 invalid.", result.Output);
        Assert.Empty(result.Error);
    }

    [Fact]
    public void Validate_InvalidPool_ExitsOneNamingEachProblem()
    {
        string pool = Write("bad.jsonl",
            Line("good", "{goal} A. {sol1} B. {sol2}"),
            Line("unbalanced", "{goal} A. {sol1 B. {sol2}"),
            Line("unknown", "{goal} A. {sol1} B. {solution2}"),
            Line("good", "{goal} {sol1} {sol2}"));

        CliRunner.Result result = CliRunner.Run("prompts", "validate", "--task", "piqa", "--prompts", pool);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("OK       good", result.Output);
        Assert.Contains($"INVALID  unbalanced ({pool} line 2)", result.Output);
        Assert.Contains("Template 'unbalanced', position 19: '{' inside the placeholder opened at position 10", result.Output);
        Assert.Contains("Template 'unknown', position 20: unknown placeholder {solution2}", result.Output);
        Assert.Contains("Template 'unknown': missing placeholder {sol2}", result.Output);
        Assert.Contains($"The id 'good' was already used at {pool} line 1.", result.Output);
        Assert.Contains("4 templates for task 'piqa': 1 valid, 3 invalid.", result.Output);
    }

    [Fact]
    public void Validate_EscapedNewlines_PositionsCountSourceCharacters()
    {
        // A stray "}" after three two-character "\n" sequences: the position counts them as written.
        string pool = Write("esc.jsonl", Line("e", @"{goal}\nA. {sol1}\nB. {sol2}\n}"));

        CliRunner.Result result = CliRunner.Run("prompts", "validate", "--task", "piqa", "--prompts", pool, "--escaped-newlines");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Template 'e', position 30: single '}'", result.Output);
    }

    [Fact]
    public void Validate_MissingFileOrUnknownTaskOrMalformedLine_ExitsTwoWithMessage()
    {
        CliRunner.Result missing = CliRunner.Run("prompts", "validate", "--task", "piqa", "--prompts", PathOf("none.jsonl"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("none.jsonl", missing.Error);

        string pool = Write("p.jsonl", Line("a", "{goal} {sol1} {sol2}"), "{\"id\": \"b\", \"text\": ");
        CliRunner.Result unknownTask = CliRunner.Run("prompts", "validate", "--task", "boolq", "--prompts", pool);
        Assert.Equal(2, unknownTask.ExitCode);
        Assert.Contains("Unknown task 'boolq'", unknownTask.Error);

        CliRunner.Result malformed = CliRunner.Run("prompts", "validate", "--task", "piqa", "--prompts", pool);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains($"{pool} line 2: not valid JSON", malformed.Error);
    }

    [Fact]
    public void Validate_WithATaskDefinitionFile_ChecksItsFields()
    {
        string taskFile = PathOf("colors.task.json");
        TaskDefinitionFile.Save(new TaskDefinition("colors", ["thing", "x", "y"], ["x", "y"]), taskFile);
        string pool = Write("colors.jsonl", Line("a", "What colour is {thing}? A. {x} B. {y} Answer:"), Line("b", "{thing} {x}"));

        CliRunner.Result result = CliRunner.Run("prompts", "validate", "--task-def", taskFile, "--prompts", pool);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("OK       a", result.Output);
        Assert.Contains("INVALID  b", result.Output);
        Assert.Contains("2 templates for task 'colors': 1 valid, 1 invalid.", result.Output);

        CliRunner.Result both = CliRunner.Run("prompts", "validate", "--task", "piqa", "--task-def", taskFile, "--prompts", pool);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--task 'piqa' and --task-def", both.Error);
    }

    [Fact]
    public void Validate_WithoutRequiredOption_FailsToParse()
    {
        CliRunner.Result result = CliRunner.Run("prompts", "validate", "--prompts", PathOf("x.jsonl"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--task", result.Error);
    }

    [SharedTheory]
    [InlineData("hellaswag")]
    [InlineData("piqa")]
    [InlineData("race")]
    [InlineData("winogrande")]
    public void Validate_OfficialPools_AllValid(string task)
    {
        string pool = SharedData.Path("prompts", "paft-official-train", task + ".jsonl");
        int lines = File.ReadLines(pool).Count(l => l.Trim().Length > 0);

        CliRunner.Result result = CliRunner.Run("prompts", "validate", "--task", task, "--prompts", pool, "--escaped-newlines");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"{lines} templates for task '{task}': {lines} valid, 0 invalid.", result.Output);
    }

    [Theory]
    [InlineData("gen.jsonl")]
    [InlineData("gen.csv")]
    [InlineData("gen.xlsx")]
    public void GenerateOffline_WritesValidReproduciblePool(string name)
    {
        string first = PathOf("1-" + name), again = PathOf("2-" + name), other = PathOf("3-" + name);

        CliRunner.Result result = CliRunner.Run("prompts", "generate", "--task", "race", "--offline", "--count", "40", "--seed", "11", "--out", first);
        CliRunner.Run("prompts", "generate", "--task", "race", "--offline", "--count", "40", "--seed", "11", "--out", again);
        CliRunner.Run("prompts", "generate", "--task", "race", "--offline", "--count", "40", "--seed", "12", "--out", other);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"Wrote 40 templates for task 'race' to {first}", result.Output);
        PromptPool pool = PromptPoolFiles.Load(first);
        Assert.Equal(40, pool.Count);
        Assert.Empty(pool.Validate(TaskDefinition.Race));
        Assert.Equal(pool.Select(e => e.Template.Text), PromptPoolFiles.Load(again).Select(e => e.Template.Text));
        Assert.NotEqual(pool.Select(e => e.Template.Text), PromptPoolFiles.Load(other).Select(e => e.Template.Text));
        Assert.All(pool, e => Assert.Equal("offline", e.Metadata["source"]));

        CliRunner.Result validate = CliRunner.Run("prompts", "validate", "--task", "race", "--prompts", first);
        Assert.Equal(0, validate.ExitCode);
    }

    [Fact]
    public void Generate_NeedsExactlyOneSource()
    {
        CliRunner.Result neither = CliRunner.Run("prompts", "generate", "--task", "piqa", "--count", "3", "--out", PathOf("a.jsonl"));
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("--offline", neither.Error);

        CliRunner.Result both = CliRunner.Run("prompts", "generate", "--task", "piqa", "--offline", "--count", "3", "--out", PathOf("b.jsonl"),
            "--endpoint", "http://127.0.0.1:9/v1", "--model", "llama3");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("Choose one source", both.Error);

        CliRunner.Result badUrl = CliRunner.Run("prompts", "generate", "--task", "piqa", "--count", "3", "--out", PathOf("b.jsonl"),
            "--endpoint", "not a url", "--model", "llama3");
        Assert.Equal(2, badUrl.ExitCode);
        Assert.Contains("not an absolute URL", badUrl.Error);

        CliRunner.Result tooMany = CliRunner.Run("prompts", "generate", "--task", "piqa", "--offline", "--count", "100000000", "--out", PathOf("c.jsonl"));
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Contains("distinct templates", tooMany.Error);

        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Split_WritesDisjointSeededPools()
    {
        string source = PathOf("all.jsonl");
        Assert.Equal(0, CliRunner.Run("prompts", "generate", "--task", "piqa", "--offline", "--count", "60", "--seed", "1", "--out", source).ExitCode);

        string[] Split(string tag, string seed)
        {
            CliRunner.Result r = CliRunner.Run("prompts", "split", "--prompts", source, "--test-fraction", "0.2", "--seed", seed,
                "--train-out", PathOf(tag + "-train.jsonl"), "--test-out", PathOf(tag + "-test.csv"));
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("Test:", r.Output);
            string[] train = PromptPoolFiles.Load(PathOf(tag + "-train.jsonl")).Select(e => e.Id).ToArray();
            string[] test = PromptPoolFiles.Load(PathOf(tag + "-test.csv")).Select(e => e.Id).ToArray();
            Assert.Empty(train.Intersect(test));
            Assert.Equal(PromptPoolFiles.Load(source).Select(e => e.Id).Order(), train.Concat(test).Order());
            Assert.InRange(test.Length, 6, 12);
            return test;
        }

        string[] first = Split("a", "5");
        Assert.Equal(first, Split("b", "5"));
        Assert.NotEqual(first, Split("c", "6"));
    }

    [Fact]
    public void Split_BadFraction_ExitsTwo()
    {
        string source = Write("p.jsonl", Line("a", "{goal} {sol1} {sol2}"), Line("b", "Q {goal} {sol1} {sol2}"));

        CliRunner.Result result = CliRunner.Run("prompts", "split", "--prompts", source, "--test-fraction", "1.5", "--seed", "1",
            "--train-out", PathOf("tr.jsonl"), "--test-out", PathOf("te.jsonl"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("test fraction", result.Error);
    }

    [Fact]
    public void Stats_ReportsCountsDuplicatesAndSuspiciousText()
    {
        string pool = Write("s.jsonl",
            Line("a", "{goal}\nA. {sol1}\nB. {sol2}\nAnswer:"),
            Line("b", "{GOAL}\nA. {sol1}\nB. {sol2}\nanswer:"),
            Line("c", "Use [describe the tool] for {goal}: {sol1} or {sol2}"));

        CliRunner.Result result = CliRunner.Run("prompts", "stats", "--prompts", pool, "--task", "piqa");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Templates: 3", result.Output);
        Assert.Contains("goal,sol1,sol2: 2", result.Output);
        Assert.Contains("GOAL,sol1,sol2: 1", result.Output);
        Assert.Contains("Ending with an answer cue: 66.7% (\"Answer:\" 2)", result.Output);
        Assert.Contains("Exact duplicate groups: 1\n  a, b", result.Output.ReplaceLineEndings("\n"));
        Assert.Contains("c: bracketed text left by a generator: \"[describe the tool]\"", result.Output);
        Assert.Contains("b: Template 'b', position 0: unknown placeholder {GOAL}", result.Output);
    }

    [SharedFact]
    public void Stats_OfficialRacePool_FlagsTheDescribeTemplate()
    {
        string pool = SharedData.Path("prompts", "paft-official-train", "race.jsonl");

        CliRunner.Result result = CliRunner.Run("prompts", "stats", "--prompts", pool, "--task", "race", "--escaped-newlines");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("paft-train-race-000: bracketed text left by a generator: \"[describe how it involves those connections]\"", result.Output);
        Assert.Contains("question,article,A,B,C,D:", result.Output);
    }
}
