using System.Globalization;
using System.Text;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Reporting;

/// <summary>
/// A K × epochs ablation's results (accuracies as fractions), one row a (K, epochs) cell: <c>ablation.csv</c> with the
/// header <c>redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy</c> for one seed, or
/// <c>redraw_every_steps,epochs,training_templates,seeds,mean_accuracy,std_across_seeds,std_across_templates,min_accuracy</c>
/// over several (means over the seeds; the sample std of the per-seed means; the mean of the per-seed stds across
/// test templates and of the per-seed worst templates). Over several seeds <c>ablation-by-seed.csv</c> keeps every
/// seed's row: <c>seed,</c> then the one-seed columns.
/// </summary>
internal static class AblationFile
{
    public const string FileName = "ablation.csv";
    public const string BySeedFileName = "ablation-by-seed.csv";
    private const string Header = "redraw_every_steps,epochs,training_templates,mean_accuracy,std_accuracy,min_accuracy";
    private const string SeedsHeader = "redraw_every_steps,epochs,training_templates,seeds,mean_accuracy,std_across_seeds,std_across_templates,min_accuracy";
    private const string BySeedHeader = "seed," + Header;

    /// <summary>Writes the one-seed format when every cell is of one seed, else the several-seeds format.</summary>
    public static void Save(IEnumerable<AblationPoint> points, string path)
    {
        AblationPoint[] all = points.ToArray();
        bool seeds = all.Any(p => p.Seeds > 1);
        var text = new StringBuilder(seeds ? SeedsHeader : Header).Append('\n');
        foreach (AblationPoint p in all)
            text.Append(seeds
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{p.RedrawEverySteps},{p.Epochs},{p.TrainingTemplates},{p.Seeds},{p.MeanAccuracy:R},{p.SeedStdDev:R},{p.AccuracyStdDev:R},{p.MinAccuracy:R}\n")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{p.RedrawEverySteps},{p.Epochs},{p.TrainingTemplates},{p.MeanAccuracy:R},{p.AccuracyStdDev:R},{p.MinAccuracy:R}\n"));
        Write(text, path);
    }

    /// <summary>Reads either format <see cref="Save"/> writes; a malformed or repeated row throws naming the file and line.</summary>
    public static IReadOnlyList<AblationPoint> Load(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string header = lines.Length == 0 ? "" : lines[0].Trim();
        if (header != Header && header != SeedsHeader)
            throw new InvalidDataException($"{path}: line 1 must be the header '{Header}' (one seed) or '{SeedsHeader}' (several).");
        bool seeds = header == SeedsHeader;
        var points = new List<AblationPoint>();
        var seen = new Dictionary<(int, int), int>();
        foreach ((int line, string[] cells) in Rows(lines))
        {
            AblationPoint point;
            if (seeds)
            {
                if (cells.Length != 8
                    || !PositiveInt(cells[0], out int k) || !PositiveInt(cells[1], out int epochs) || !PositiveInt(cells[2], out int templates)
                    || !PositiveInt(cells[3], out int n) || !Fraction(cells[4], out double mean) || !Fraction(cells[5], out double seedStd)
                    || !Fraction(cells[6], out double std) || !Fraction(cells[7], out double min))
                    throw new InvalidDataException(
                        $"{path}: line {line} is not 'K (>= 1),epochs (>= 1),templates (>= 1),seeds (>= 1),mean,std across seeds,std across templates,min' with accuracies in [0, 1]: '{lines[line - 1]}'.");
                point = new AblationPoint(k, epochs, templates, mean, std, min) { Seeds = n, SeedStdDev = seedStd };
            }
            else
                point = OneSeed(cells, 0) ?? throw new InvalidDataException(
                    $"{path}: line {line} is not 'K (>= 1),epochs (>= 1),templates (>= 1),mean,std,min' with accuracies in [0, 1]: '{lines[line - 1]}'.");
            // The report's table has one cell per (K, epochs): a second row for one would silently hide the first.
            if (seen.TryGetValue((point.RedrawEverySteps, point.Epochs), out int first))
                throw new InvalidDataException($"{path}: line {line} repeats K {point.RedrawEverySteps} with {point.Epochs} epoch(s) of line {first}.");
            seen[(point.RedrawEverySteps, point.Epochs)] = line;
            points.Add(point);
        }
        return points;
    }

    /// <summary>Writes every seed's row (each cell of one seed).</summary>
    public static void SaveBySeed(IEnumerable<SeedRow<AblationPoint>> rows, string path)
    {
        var text = new StringBuilder(BySeedHeader).Append('\n');
        foreach ((int seed, AblationPoint p) in rows)
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{seed},{p.RedrawEverySteps},{p.Epochs},{p.TrainingTemplates},{p.MeanAccuracy:R},{p.AccuracyStdDev:R},{p.MinAccuracy:R}\n"));
        Write(text, path);
    }

    /// <summary>Reads what <see cref="SaveBySeed"/> writes; a malformed or repeated row throws naming the file and line.</summary>
    public static IReadOnlyList<SeedRow<AblationPoint>> LoadBySeed(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != BySeedHeader)
            throw new InvalidDataException($"{path}: line 1 must be the header '{BySeedHeader}'.");
        var rows = new List<SeedRow<AblationPoint>>();
        var seen = new Dictionary<(int, int, int), int>();
        foreach ((int line, string[] cells) in Rows(lines))
        {
            if (cells.Length != 7 || !int.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed)
                || OneSeed(cells, 1) is not AblationPoint point)
                throw new InvalidDataException(
                    $"{path}: line {line} is not 'seed,K (>= 1),epochs (>= 1),templates (>= 1),mean,std,min' with accuracies in [0, 1]: '{lines[line - 1]}'.");
            if (seen.TryGetValue((seed, point.RedrawEverySteps, point.Epochs), out int first))
                throw new InvalidDataException($"{path}: line {line} repeats seed {seed}, K {point.RedrawEverySteps} with {point.Epochs} epoch(s) of line {first}.");
            seen[(seed, point.RedrawEverySteps, point.Epochs)] = line;
            rows.Add(new SeedRow<AblationPoint>(seed, point));
        }
        return rows;
    }

    /// <summary>The one-seed columns from <paramref name="start"/> on (exactly six of them), or null when they do not parse.</summary>
    private static AblationPoint? OneSeed(string[] cells, int start) =>
        cells.Length == start + 6
        && PositiveInt(cells[start], out int k) && PositiveInt(cells[start + 1], out int epochs) && PositiveInt(cells[start + 2], out int templates)
        && Fraction(cells[start + 3], out double mean) && Fraction(cells[start + 4], out double std) && Fraction(cells[start + 5], out double min)
            ? new AblationPoint(k, epochs, templates, mean, std, min)
            : null;

    /// <summary>The non-blank lines after the header, with their 1-based line numbers, split into cells.</summary>
    private static IEnumerable<(int Line, string[] Cells)> Rows(string[] lines)
    {
        for (int i = 1; i < lines.Length; i++)
            if (lines[i].Trim().Length > 0)
                yield return (i + 1, lines[i].Split(','));
    }

    private static bool PositiveInt(string cell, out int value) =>
        int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;

    private static bool Fraction(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= 0 && value <= 1;

    private static void Write(StringBuilder text, string path)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(text.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
