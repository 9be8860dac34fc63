using System.Globalization;
using System.Text;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Reporting;

/// <summary>
/// A K × epochs ablation's results: <c>ablation.csv</c> with the header
/// <c>redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy</c> (accuracies as
/// fractions), one row a (K, epochs) cell.
/// </summary>
internal static class AblationFile
{
    public const string FileName = "ablation.csv";
    private const string Header = "redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy";

    public static void Save(IEnumerable<AblationPoint> points, string path)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (AblationPoint p in points)
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{p.RedrawEverySteps},{p.Epochs},{p.TrainingTemplates},{p.MeanAccuracy:R},{p.AccuracyStdDev:R},{p.MinAccuracy:R}\n"));
        byte[] bytes = new UTF8Encoding(false).GetBytes(text.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Reads a file written by <see cref="Save"/>; a malformed or repeated row throws naming the file and line.</summary>
    public static IReadOnlyList<AblationPoint> Load(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header)
            throw new InvalidDataException($"{path}: line 1 must be the header '{Header}'.");
        var points = new List<AblationPoint>();
        var seen = new Dictionary<(int, int), int>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
                continue;
            string[] cells = lines[i].Split(',');
            if (cells.Length != 6
                || !PositiveInt(cells[0], out int k) || !PositiveInt(cells[1], out int epochs) || !PositiveInt(cells[2], out int templates)
                || !Fraction(cells[3], out double mean) || !Fraction(cells[4], out double std) || !Fraction(cells[5], out double min))
                throw new InvalidDataException(
                    $"{path}: line {i + 1} is not 'K (>= 1),epochs (>= 1),templates (>= 1),mean,std,min' with accuracies in [0, 1]: '{lines[i]}'.");
            // The report's table has one cell per (K, epochs): a second row for one would silently hide the first.
            if (seen.TryGetValue((k, epochs), out int first))
                throw new InvalidDataException($"{path}: line {i + 1} repeats K {k} with {epochs} epoch(s) of line {first}.");
            seen[(k, epochs)] = i + 1;
            points.Add(new AblationPoint(k, epochs, templates, mean, std, min));
        }
        return points;
    }

    private static bool PositiveInt(string cell, out int value) =>
        int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;

    private static bool Fraction(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= 0 && value <= 1;
}
