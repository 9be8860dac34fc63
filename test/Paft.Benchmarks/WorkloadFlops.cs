using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Paft.Benchmarks;

/// <summary>
/// The FLOPs one operation of a benchmark does (per token for the model benchmarks), recorded by each
/// benchmark's GlobalSetup. The benchmarks run in-process, so the columns below read the same table
/// when the summary is printed.
/// </summary>
internal static class WorkloadFlops
{
    private static readonly ConcurrentDictionary<string, double> PerOperation = new();

    /// <summary>The method every fraction is taken against: a 1024 × 1024 × 1024 fp32 matmul.</summary>
    public const string ReferenceMethod = "Matmul1024";

    public static void Record(string method, string? model, double flops) => PerOperation[Key(method, model)] = flops;

    public static double? Get(BenchmarkCase benchmarkCase) =>
        PerOperation.TryGetValue(Key(benchmarkCase.Descriptor.WorkloadMethod.Name, ModelOf(benchmarkCase)), out double f) ? f : null;

    public static string? ModelOf(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Model")?.Value?.ToString();

    /// <summary>FLOP/s of a case: its FLOPs per operation over its mean time per operation.</summary>
    public static double? Rate(Summary summary, BenchmarkCase benchmarkCase)
    {
        double? flops = Get(benchmarkCase);
        var report = summary[benchmarkCase];
        if (flops is null || report?.ResultStatistics is null) return null;
        return flops.Value / (report.ResultStatistics.Mean * 1e-9);
    }

    private static string Key(string method, string? model) => method + "|" + (model ?? "");
}

/// <summary>GFLOP/s of a benchmark case (blank where the case has no FLOP count).</summary>
internal sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Model (or matmul) FLOPs per operation / mean time per operation, in 1e9 FLOP/s";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        WorkloadFlops.Rate(summary, benchmarkCase) is double rate ? (rate / 1e9).ToString("F2", CultureInfo.InvariantCulture) : "-";
}

/// <summary>
/// A case's FLOP/s as a fraction of the 1024² fp32 matmul's FLOP/s measured in the same run (same
/// Model parameter), so load from other processes on the machine affects numerator and denominator alike.
/// </summary>
internal sealed class MatmulFractionColumn : IColumn
{
    public string Id => nameof(MatmulFractionColumn);
    public string ColumnName => "OfMatmul";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "GFLOP/s as a fraction of the same run's 1024x1024x1024 fp32 matmul GFLOP/s";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        string? model = WorkloadFlops.ModelOf(benchmarkCase);
        BenchmarkCase? reference = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod.Name == WorkloadFlops.ReferenceMethod && WorkloadFlops.ModelOf(c) == model);
        if (reference is null || WorkloadFlops.Rate(summary, benchmarkCase) is not double rate
            || WorkloadFlops.Rate(summary, reference) is not double referenceRate)
            return "-";
        return (rate / referenceRate).ToString("F3", CultureInfo.InvariantCulture);
    }
}
