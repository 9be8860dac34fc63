using System.Globalization;
using System.Text;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Reporting;

/// <summary>
/// A scaling study's results: <c>sweep.csv</c> with the header <c>training_templates,mean_accuracy,std_accuracy</c>
/// (accuracies as fractions), one row a training pool size.
/// </summary>
internal static class SweepFile
{
    public const string FileName = "sweep.csv";
    private const string Header = "training_templates,mean_accuracy,std_accuracy";

    public static void Save(IEnumerable<SweepPoint> points, string path)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (SweepPoint p in points)
            text.Append(string.Create(CultureInfo.InvariantCulture, $"{p.TrainingTemplates},{p.MeanAccuracy:R},{p.AccuracyStdDev:R}\n"));
        byte[] bytes = new UTF8Encoding(false).GetBytes(text.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    public static IReadOnlyList<SweepPoint> Load(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header)
            throw new InvalidDataException($"{path}: line 1 must be the header '{Header}'.");
        var points = new List<SweepPoint>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
                continue;
            string[] cells = lines[i].Split(',');
            if (cells.Length != 3
                || !int.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) || count < 1
                || !double.TryParse(cells[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double mean)
                || !double.TryParse(cells[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double std))
                throw new InvalidDataException($"{path}: line {i + 1} is not 'templates (>= 1),mean,std': '{lines[i]}'.");
            points.Add(new SweepPoint(count, mean, std));
        }
        return points;
    }
}
