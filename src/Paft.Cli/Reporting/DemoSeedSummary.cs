using System.Globalization;
using System.Text;
using System.Text.Json;
using Paft.Demo;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Reporting;

/// <summary>
/// <c>paft demo --seeds N</c>'s summary: every seed's row (each method's clean mean over the unseen test templates)
/// and, per method, the mean over the seeds ± the sample standard deviation across seeds (n − 1): how much a
/// reseed moves the result, which says whether a gap between two methods is larger than that. Written as
/// <c>seeds.csv</c> (one row a seed and method) and <c>seeds.json</c>.
/// </summary>
internal sealed class DemoSeedSummary
{
    /// <summary>The CSV file's name in the output folder.</summary>
    public const string CsvFileName = "seeds.csv";

    /// <summary>The JSON file's name in the output folder.</summary>
    public const string JsonFileName = "seeds.json";

    private readonly IReadOnlyList<(int Seed, DemoResult Result)> _runs;

    public DemoSeedSummary(IReadOnlyList<(int Seed, DemoResult Result)> runs)
    {
        if (runs.Count == 0)
            throw new ArgumentException("No seed ran.", nameof(runs));
        _runs = runs;
        Methods = runs[0].Result.Methods.Select(m => m.Name).ToArray();
    }

    /// <summary>The methods, in the demo's order.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>The clean mean accuracy of <paramref name="method"/> on each seed, in seed order.</summary>
    public double[] Means(string method) => _runs.Select(r => r.Result.Methods.Single(m => m.Name == method).Mean).ToArray();

    /// <summary>The seeds on which <paramref name="method"/>'s clean mean is above <paramref name="reference"/>'s.</summary>
    public int SeedsAbove(string method, string reference) => Means(method).Zip(Means(reference)).Count(p => p.First > p.Second);

    /// <summary>The table: one row a seed, then the mean ± std across seeds; accuracies in percent.</summary>
    public void WriteTable(TextWriter output)
    {
        output.WriteLine("| seed | " + string.Join(" | ", Methods) + " |");
        output.WriteLine("|---:|" + string.Concat(Methods.Select(_ => "---:|")));
        foreach ((int seed, DemoResult result) in _runs)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {seed} | {string.Join(" | ", result.Methods.Select(m => (100 * m.Mean).ToString("F1", CultureInfo.InvariantCulture)))} |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| mean ± std ({_runs.Count} seeds) | {string.Join(" | ", Methods.Select(m => $"{100 * Means(m).Average():F1} ± {100 * SeedAggregate.SampleStdDev(Means(m)):F1}"))} |"));
    }

    /// <summary>Writes <see cref="CsvFileName"/> and <see cref="JsonFileName"/> into <paramref name="folder"/>.</summary>
    public void Save(string folder)
    {
        var csv = new StringBuilder("seed,method,meanAccuracy,accuracyStdDev,minAccuracy,adversarialMeanAccuracy\n");
        foreach ((int seed, DemoResult result) in _runs)
            foreach (DemoMethodResult m in result.Methods)
                csv.Append(string.Create(CultureInfo.InvariantCulture,
                    $"{seed},{m.Name},{m.Mean:R},{m.StandardDeviation:R},{m.Min:R},{(m.Adversarial is null ? "" : m.Adversarial.MeanAccuracy.ToString("R", CultureInfo.InvariantCulture))}\n"));
        byte[] csvBytes = Encoding.UTF8.GetBytes(csv.ToString());
        AtomicFile.Write(Path.Combine(folder, CsvFileName), stream => stream.Write(csvBytes));

        var json = new
        {
            seeds = _runs.Select(r => r.Seed).ToArray(),
            methods = Methods.Select(m => new
            {
                method = m,
                meanAccuracy = Means(m).Average(),
                seedStdDev = SeedAggregate.SampleStdDev(Means(m)),
                perSeed = Means(m),
            }).ToArray(),
        };
        byte[] jsonBytes = JsonSerializer.SerializeToUtf8Bytes(json, new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.Write(Path.Combine(folder, JsonFileName), stream => stream.Write(jsonBytes));
    }
}
