using System.Globalization;
using System.Text;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Reporting;

/// <summary>
/// A scaling study's results (accuracies as fractions), one row a training pool size: <c>sweep.csv</c> with the
/// header <c>training_templates,mean_accuracy,std_accuracy</c> for one seed, or
/// <c>training_templates,seeds,mean_accuracy,std_across_seeds,std_across_templates</c> over several (means over the
/// seeds; the sample std of the per-seed means; the mean of the per-seed stds across test templates). Over several
/// seeds <c>sweep-by-seed.csv</c> keeps every seed's row: <c>seed,training_templates,mean_accuracy,std_accuracy</c>.
/// </summary>
internal static class SweepFile
{
    public const string FileName = "sweep.csv";
    public const string BySeedFileName = "sweep-by-seed.csv";
    private const string Header = "training_templates,mean_accuracy,std_accuracy";
    private const string SeedsHeader = "training_templates,seeds,mean_accuracy,std_across_seeds,std_across_templates";
    private const string BySeedHeader = "seed," + Header;

    /// <summary>Writes the one-seed format when every point is of one seed, else the several-seeds format.</summary>
    public static void Save(IEnumerable<SweepPoint> points, string path)
    {
        SweepPoint[] all = points.ToArray();
        bool seeds = all.Any(p => p.Seeds > 1);
        var text = new StringBuilder(seeds ? SeedsHeader : Header).Append('\n');
        foreach (SweepPoint p in all)
            text.Append(seeds
                ? string.Create(CultureInfo.InvariantCulture, $"{p.TrainingTemplates},{p.Seeds},{p.MeanAccuracy:R},{p.SeedStdDev:R},{p.AccuracyStdDev:R}\n")
                : string.Create(CultureInfo.InvariantCulture, $"{p.TrainingTemplates},{p.MeanAccuracy:R},{p.AccuracyStdDev:R}\n"));
        Write(text, path);
    }

    /// <summary>Reads either format <see cref="Save"/> writes; a malformed row throws naming the file and line.</summary>
    public static IReadOnlyList<SweepPoint> Load(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string header = lines.Length == 0 ? "" : lines[0].Trim();
        if (header != Header && header != SeedsHeader)
            throw new InvalidDataException($"{path}: line 1 must be the header '{Header}' (one seed) or '{SeedsHeader}' (several).");
        bool seeds = header == SeedsHeader;
        var points = new List<SweepPoint>();
        foreach ((int line, string[] cells) in Rows(lines))
        {
            if (seeds)
            {
                if (cells.Length != 5 || !Positive(cells[0], out int count) || !Positive(cells[1], out int n)
                    || !Number(cells[2], out double mean) || !Number(cells[3], out double seedStd) || !Number(cells[4], out double std))
                    throw new InvalidDataException($"{path}: line {line} is not 'templates (>= 1),seeds (>= 1),mean,std across seeds,std across templates': '{lines[line - 1]}'.");
                points.Add(new SweepPoint(count, mean, std) { Seeds = n, SeedStdDev = seedStd });
            }
            else
            {
                if (cells.Length != 3 || !Positive(cells[0], out int count) || !Number(cells[1], out double mean) || !Number(cells[2], out double std))
                    throw new InvalidDataException($"{path}: line {line} is not 'templates (>= 1),mean,std': '{lines[line - 1]}'.");
                points.Add(new SweepPoint(count, mean, std));
            }
        }
        return points;
    }

    /// <summary>Writes every seed's row (each point of one seed).</summary>
    public static void SaveBySeed(IEnumerable<SeedRow<SweepPoint>> rows, string path)
    {
        var text = new StringBuilder(BySeedHeader).Append('\n');
        foreach ((int seed, SweepPoint p) in rows)
            text.Append(string.Create(CultureInfo.InvariantCulture, $"{seed},{p.TrainingTemplates},{p.MeanAccuracy:R},{p.AccuracyStdDev:R}\n"));
        Write(text, path);
    }

    /// <summary>Reads what <see cref="SaveBySeed"/> writes; a malformed row throws naming the file and line.</summary>
    public static IReadOnlyList<SeedRow<SweepPoint>> LoadBySeed(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != BySeedHeader)
            throw new InvalidDataException($"{path}: line 1 must be the header '{BySeedHeader}'.");
        var rows = new List<SeedRow<SweepPoint>>();
        foreach ((int line, string[] cells) in Rows(lines))
        {
            if (cells.Length != 4 || !int.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed)
                || !Positive(cells[1], out int count) || !Number(cells[2], out double mean) || !Number(cells[3], out double std))
                throw new InvalidDataException($"{path}: line {line} is not 'seed,templates (>= 1),mean,std': '{lines[line - 1]}'.");
            rows.Add(new SeedRow<SweepPoint>(seed, new SweepPoint(count, mean, std)));
        }
        return rows;
    }

    /// <summary>The non-blank lines after the header, with their 1-based line numbers, split into cells.</summary>
    private static IEnumerable<(int Line, string[] Cells)> Rows(string[] lines)
    {
        for (int i = 1; i < lines.Length; i++)
            if (lines[i].Trim().Length > 0)
                yield return (i + 1, lines[i].Split(','));
    }

    private static bool Positive(string cell, out int value) =>
        int.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= 1;

    private static bool Number(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static void Write(StringBuilder text, string path)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(text.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
