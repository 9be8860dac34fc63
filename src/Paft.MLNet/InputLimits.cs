using System.Globalization;

namespace Paft.MLNet;

/// <summary>
/// Size limits on the files the readers take from users (prompt pools, task rows): a file built to exhaust
/// memory (a zip bomb, a single line of gigabytes) is refused in one line naming the file and the limit
/// instead of taking the process down. The defaults are far above any real pool or benchmark file.
/// </summary>
public sealed record InputLimits
{
    /// <summary>The defaults.</summary>
    public static InputLimits Default { get; } = new();

    /// <summary>Longest line of a JSON-lines file (a pool or task rows), in bytes. Default 16 MiB.</summary>
    public long MaxLineBytes { get; init; } = 16L << 20;

    /// <summary>Longest CSV field or .xlsx cell, in characters. Default 1 Mi characters.</summary>
    public int MaxFieldLength { get; init; } = 1 << 20;

    /// <summary>Longest prompt template, in characters. Default 64 Ki characters (the PAFT pools' longest is under 1 Ki).</summary>
    public int MaxTemplateLength { get; init; } = 64 << 10;

    /// <summary>
    /// Largest inflated size of one part of an .xlsx workbook (a zip entry), in bytes, both as the zip
    /// declares it and as it actually inflates. Default 64 MiB.
    /// </summary>
    public long MaxXlsxEntryBytes { get; init; } = 64L << 20;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a limit is not positive.</summary>
    public void Check()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxLineBytes, nameof(MaxLineBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFieldLength, nameof(MaxFieldLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTemplateLength, nameof(MaxTemplateLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxXlsxEntryBytes, nameof(MaxXlsxEntryBytes));
    }

    /// <summary>How a limit is named in an error: <c>limit InputLimits.Property = value</c>.</summary>
    /// <param name="property">The limit's property name, e.g. <c>nameof(InputLimits.MaxFieldLength)</c>.</param>
    /// <param name="value">The limit in force.</param>
    public static string Describe(string property, long value) =>
        string.Create(CultureInfo.InvariantCulture, $"limit {nameof(InputLimits)}.{property} = {value:N0}");
}
