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

    /// <summary>Records the FLOPs of <paramref name="method"/> for the case with these parameter values.</summary>
    public static void Record(string method, double flops, params object[] parameterValues) =>
        PerOperation[Key(method, ParametersKey(parameterValues))] = flops;

    public static double? Get(BenchmarkCase benchmarkCase) =>
        PerOperation.TryGetValue(Key(benchmarkCase.Descriptor.WorkloadMethod.Name, ParametersOf(benchmarkCase)), out double f) ? f : null;

    /// <summary>The case's parameter values as one key, independent of their order.</summary>
    public static string ParametersOf(BenchmarkCase benchmarkCase) =>
        ParametersKey(benchmarkCase.Parameters.Items.Select(p => p.Value).ToArray());

    private static string ParametersKey(object?[] values) =>
        string.Join(",", values.Select(v => v?.ToString() ?? "").Order(StringComparer.Ordinal));

    /// <summary>
    /// FLOP/s of a case: its FLOPs per operation over its median (or, with <paramref name="best"/>, its
    /// fastest) iteration's time per operation. The median and the best iteration are less sensitive
    /// than the mean to bursts of load from other processes on a shared machine.
    /// </summary>
    public static double? Rate(Summary summary, BenchmarkCase benchmarkCase, bool best = false)
    {
        double? flops = Get(benchmarkCase);
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (flops is null || statistics is null) return null;
        return flops.Value / ((best ? statistics.Min : statistics.Median) * 1e-9);
    }

    private static string Key(string method, string parameters) => method + "|" + parameters;
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
    public string Legend => "Model (or matmul) FLOPs per operation / median time per operation, in 1e9 FLOP/s";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        WorkloadFlops.Rate(summary, benchmarkCase) is double rate ? (rate / 1e9).ToString("F2", CultureInfo.InvariantCulture) : "-";
}

/// <summary>
/// A case's FLOP/s as a fraction of the 1024² fp32 matmul's FLOP/s measured in the same run (same
/// parameters), so load from other processes on the machine affects numerator and denominator alike.
/// </summary>
internal sealed class MatmulFractionColumn(bool best) : IColumn
{
    public string Id => nameof(MatmulFractionColumn) + (best ? "Best" : "");
    public string ColumnName => best ? "OfMatmulBest" : "OfMatmul";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => best ? 2 : 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => best
        ? "Fastest-iteration FLOP/s as a fraction of the same run's fastest 1024x1024x1024 fp32 matmul iteration"
        : "Median FLOP/s as a fraction of the same run's median 1024x1024x1024 fp32 matmul FLOP/s";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        string parameters = WorkloadFlops.ParametersOf(benchmarkCase);
        BenchmarkCase? reference = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod.Name == WorkloadFlops.ReferenceMethod && WorkloadFlops.ParametersOf(c) == parameters);
        if (reference is null || WorkloadFlops.Rate(summary, benchmarkCase, best) is not double rate
            || WorkloadFlops.Rate(summary, reference, best) is not double referenceRate)
            return "-";
        return (rate / referenceRate).ToString("F3", CultureInfo.InvariantCulture);
    }
}
