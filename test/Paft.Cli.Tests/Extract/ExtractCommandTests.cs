using System.Text.Json.Nodes;
using Paft.Cli.Tests.Prompts;

namespace Paft.Cli.Tests.Extract;

/// <summary>
/// <c>paft extract</c> on the corpus of generated answers whose letters came from OpenCompass's
/// <c>first_option_postprocess</c> @ 98242ff1 itself, and its refusal of bad lines.
/// </summary>
public sealed class ExtractCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("paft-extract-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Corpus_gets_the_upstream_letters_in_order_with_every_other_key_kept(bool cushion)
    {
        // The corpus lines carry text and options, plus expected letters and a kind that extract must pass through.
        string input = Path.Combine(_folder, "corpus.jsonl");
        File.Copy(OpenCompassCorpus.PathInOutput, input);
        string output = Path.Combine(_folder, "answers.jsonl");
        string[] args = cushion ? ["extract", "--in", input, "--out", output] : ["extract", "--in", input, "--out", output, "--no-cushion"];

        CliRunner.Result result = CliRunner.Run(args);

        Assert.True(result.ExitCode == 0, result.Error);
        IReadOnlyList<OpenCompassCorpusEntry> corpus = OpenCompassCorpus.Read();
        string[] lines = File.ReadAllLines(output);
        Assert.Equal(corpus.Count, lines.Length);
        var disagreements = new List<string>();
        for (int i = 0; i < corpus.Count; i++)
        {
            JsonObject row = JsonNode.Parse(lines[i])!.AsObject();
            OpenCompassCorpusEntry entry = corpus[i];
            Assert.Equal(["text", "options", "expected", "expectedNoCushion", "kind", "answer"], row.Select(p => p.Key));
            Assert.Equal(entry.Text, (string?)row["text"]);
            Assert.Equal(entry.Options, (string?)row["options"]);
            Assert.Equal(entry.Kind, (string?)row["kind"]);
            string? expected = cushion ? entry.Expected : entry.ExpectedNoCushion;
            string? answer = (string?)row["answer"];
            if (answer != expected)
                disagreements.Add(OpenCompassCorpus.Describe(entry, answer, expected));
        }
        Assert.True(disagreements.Count == 0, $"{disagreements.Count} disagree:\n{string.Join("\n", disagreements.Take(20))}");
        int found = corpus.Count(e => (cushion ? e.Expected : e.ExpectedNoCushion) is not null);
        Assert.Contains($"{found} of {corpus.Count} line(s) have an answer (opencompass first_option_postprocess @ 98242ff1, cushion {(cushion ? "on" : "off")})", result.Output);
    }

    [Fact]
    public void An_existing_answer_key_is_replaced_and_other_values_are_kept_as_written()
    {
        string input = Path.Combine(_folder, "in.jsonl");
        File.WriteAllLines(input, ["""{"id": 7, "score": 1.50, "text": "答案是 B", "options": "AB", "answer": "A"}"""]);
        string output = Path.Combine(_folder, "out.jsonl");

        CliRunner.Result result = CliRunner.Run("extract", "--in", input, "--out", output);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(["""{"id":7,"score":1.50,"text":"答案是 B","options":"AB","answer":"B"}"""], File.ReadAllLines(output));
    }

    [Theory]
    [InlineData("not json", "not a JSON object")]
    [InlineData("[\"text\", \"options\"]", "expected a JSON object")]
    [InlineData("", "empty; expected a JSON object")]
    [InlineData("{\"options\": \"ABCD\"}", "\"text\" must be a string")]
    [InlineData("{\"text\": 3, \"options\": \"ABCD\"}", "\"text\" must be a string")]
    [InlineData("{\"text\": \"A\"}", "\"options\" must be a non-empty string")]
    [InlineData("{\"text\": \"A\", \"options\": \"A-D\"}", "\"options\" must be a non-empty string")]
    [InlineData("{\"text\": \"A\", \"options\": \"\"}", "\"options\" must be a non-empty string")]
    [InlineData("{\"text\": \"A\", \"text\": \"B\", \"options\": \"AB\"}", "not a JSON object")]
    public void A_bad_line_is_refused_in_one_line_naming_file_and_line_and_nothing_is_written(string badLine, string reason)
    {
        string input = Path.Combine(_folder, "in.jsonl");
        File.WriteAllLines(input, ["""{"text": "The answer is B.", "options": "ABCD"}""", badLine, """{"text": "C", "options": "ABCD"}"""]);
        string output = Path.Combine(_folder, "out.jsonl");
        File.WriteAllText(output, "earlier output\n");

        CliRunner.Result result = CliRunner.Run("extract", "--in", input, "--out", output);

        Assert.Equal(2, result.ExitCode);
        string error = result.Error.TrimEnd('\n');
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith($"error: '{input}' line 2: ", error);
        Assert.Contains(reason, error);
        Assert.Equal("earlier output\n", File.ReadAllText(output));
        Assert.Equal(["out.jsonl", "in.jsonl"], Directory.GetFiles(_folder).Select(Path.GetFileName).OrderDescending());
    }

    [Fact]
    public void A_missing_input_file_is_refused()
    {
        CliRunner.Result result = CliRunner.Run("extract", "--in", Path.Combine(_folder, "none.jsonl"), "--out", Path.Combine(_folder, "out.jsonl"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("none.jsonl' does not exist", result.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "out.jsonl")));
    }
}
