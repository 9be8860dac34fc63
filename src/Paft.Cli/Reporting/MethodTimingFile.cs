using System.Globalization;
using System.Text;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Reporting;

/// <summary>
/// What each method cost, as <c>timings.csv</c> (the demo's and the sweep's cost study): the header
/// <c>method,selection_seconds,training_seconds,generation_prompts,generation_seconds,mean_generated_tokens,generated_answer_accuracy</c>,
/// one row a method; the four generation cells are empty when generation was not measured. What
/// <c>paft report --in</c> reads to rebuild the report's Tables 6 and 2.
/// </summary>
internal static class MethodTimingFile
{
    public const string FileName = "timings.csv";
    private const string Header = "method,selection_seconds,training_seconds,generation_prompts,generation_seconds,mean_generated_tokens,generated_answer_accuracy";

    public static void Save(IEnumerable<MethodTiming> timings, string path)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (MethodTiming t in timings)
        {
            if (t.Method.Contains(',', StringComparison.Ordinal) || t.Method.Contains('\n', StringComparison.Ordinal))
                throw new ArgumentException($"Method name '{t.Method}' cannot be written to {FileName}: it holds a comma or a line break.", nameof(timings));
            GenerationTiming? g = t.Generation;
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{t.Method},{t.SelectionSeconds:R},{t.TrainingSeconds:R},{g?.Prompts},{g?.Seconds:R},{g?.MeanGeneratedTokens:R},{g?.AnswerAccuracy:R}\n"));
        }
        byte[] bytes = new UTF8Encoding(false).GetBytes(text.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <exception cref="InvalidDataException">The header or a row is malformed; the message names the file and line.</exception>
    public static IReadOnlyList<MethodTiming> Load(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header)
            throw new InvalidDataException($"{path}: line 1 must be the header '{Header}'.");
        var timings = new List<MethodTiming>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
                continue;
            string[] cells = lines[i].Split(',');
            if (cells.Length != 7 || cells[0].Length == 0
                || !Seconds(cells[1], out double selection) || !Seconds(cells[2], out double training))
                throw Malformed(path, i, lines[i]);
            GenerationTiming? generation = null;
            if (cells.Skip(3).Any(c => c.Length > 0))
            {
                if (!int.TryParse(cells[3], NumberStyles.None, CultureInfo.InvariantCulture, out int prompts) || !Seconds(cells[4], out double seconds)
                    || !Seconds(cells[5], out double tokens) || !Seconds(cells[6], out double accuracy) || accuracy > 1)
                    throw Malformed(path, i, lines[i]);
                generation = new GenerationTiming(prompts, seconds, tokens, accuracy);
            }
            timings.Add(new MethodTiming(cells[0], selection, training, generation));
        }
        return timings;
    }

    private static bool Seconds(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= 0;

    private static InvalidDataException Malformed(string path, int index, string line) =>
        new($"{path}: line {index + 1} is not 'method,selection s,training s' with either four empty generation cells or " +
            $"'prompts,seconds,mean tokens,answer accuracy (0..1)', all non-negative: '{line}'.");
}
