using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paft.Cli.Terminal;
using Paft.Llama;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft extract --in FILE.jsonl --out FILE.jsonl [--no-cushion]</c>: reads the answer letter from generations saved
/// by any system, as <see cref="AnswerExtractor"/> (OpenCompass's <c>first_option_postprocess</c> @ 98242ff1) does. Each
/// input line is a JSON object with <c>text</c> and <c>options</c> (the option letters, e.g. "ABCD"); each output line is
/// the same object, its keys and values kept, with <c>answer</c> set to the letter or null, in the same order.
/// </summary>
internal static class ExtractCommand
{
    /// <summary>The key of the generated text in each line.</summary>
    public const string TextKey = "text";

    /// <summary>The key of the option letters in each line.</summary>
    public const string OptionsKey = "options";

    /// <summary>The key the answer is written under (replaced when the input already has it).</summary>
    public const string AnswerKey = "answer";

    public static Command Create()
    {
        var input = new Option<string>("--in") { Description = "JSON Lines of generations: one object a line with \"text\" and \"options\" (e.g. \"ABCD\").", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the same lines with \"answer\" (a letter, or null) added; written atomically.", Required = true };
        var noCushion = new Option<bool>("--no-cushion") { Description = "Do not fall back to \"X:\" and then to any option letter anywhere (upstream's cushion=False)." };
        var command = new Command("extract", $"Read the answer letter from generated texts, as {AnswerExtractor.Version} does.") { input, output, noCushion };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, _) =>
        {
            string outPath = parseResult.GetValue(output)!;
            bool cushion = !parseResult.GetValue(noCushion);
            (int lines, int found) = Extract(parseResult.GetValue(input)!, outPath, cushion);
            stdout.WriteLine($"{found} of {lines} line(s) have an answer ({AnswerExtractor.Version}, cushion {(cushion ? "on" : "off")}).");
            stdout.WriteLine($"Wrote '{Path.GetFullPath(outPath)}'.");
            return CommandExit.Success;
        }));
        return command;
    }

    /// <summary>
    /// Writes <paramref name="outPath"/>: every line of <paramref name="inPath"/> with <see cref="AnswerKey"/> set, atomically
    /// (a bad line leaves no output). Returns the number of lines and of lines where an answer was found.
    /// </summary>
    /// <exception cref="CommandInputException">A line is not a JSON object with a string <c>text</c> and valid
    /// <c>options</c>; the message names the file and the line.</exception>
    public static (int Lines, int Found) Extract(string inPath, string outPath, bool cushion)
    {
        if (!File.Exists(inPath))
            throw new CommandInputException($"--in: '{inPath}' does not exist.");
        int lines = 0, found = 0;
        var json = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.Write(outPath, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
            foreach (string line in File.ReadLines(inPath))
            {
                lines++;
                JsonObject row = ParseLine(line, inPath, lines);
                string? answer = AnswerExtractor.FirstOption(row[TextKey]!.GetValue<string>(), row[OptionsKey]!.GetValue<string>(), cushion);
                if (answer is not null)
                    found++;
                row[AnswerKey] = answer;
                writer.WriteLine(row.ToJsonString(json));
            }
        });
        return (lines, found);
    }

    private static JsonObject ParseLine(string line, string path, int number)
    {
        string where = $"'{path}' line {number}";
        if (string.IsNullOrWhiteSpace(line))
            throw new CommandInputException($"{where}: empty; expected a JSON object with \"{TextKey}\" and \"{OptionsKey}\".");
        JsonObject row;
        try
        {
            row = JsonNode.Parse(line) as JsonObject ?? throw new CommandInputException($"{where}: expected a JSON object with \"{TextKey}\" and \"{OptionsKey}\".");
            // Reading every key now makes a duplicate key fail here, naming the line, rather than when the row is written.
            _ = row.Count;
            _ = row.ToList();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw new CommandInputException($"{where}: not a JSON object: {e.Message}", e);
        }
        if (row[TextKey] is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
            throw new CommandInputException($"{where}: \"{TextKey}\" must be a string (the generated text).");
        if (row[OptionsKey] is not JsonValue options || options.GetValueKind() != JsonValueKind.String
            || options.GetValue<string>() is not { Length: > 0 } letters || !letters.All(char.IsAsciiLetterOrDigit))
            throw new CommandInputException($"{where}: \"{OptionsKey}\" must be a non-empty string of option letters (ASCII letters or digits, e.g. \"ABCD\").");
        return row;
    }
}
