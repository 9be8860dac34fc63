using System.Globalization;
using Paft.MLNet;

namespace Paft.Cli.Terminal;

/// <summary>
/// The size limits of the input readers (<see cref="InputLimits"/>) as the <c>paft</c> commands use them: the defaults,
/// each raised or lowered by an environment variable (docs/cli.md, "Input limits"), so that one setting reaches every
/// command that reads pools or task rows.
/// </summary>
internal static class CliInputLimits
{
    public const string MaxLineBytes = "PAFT_MAX_LINE_BYTES";
    public const string MaxFieldLength = "PAFT_MAX_FIELD_LENGTH";
    public const string MaxTemplateLength = "PAFT_MAX_TEMPLATE_LENGTH";
    public const string MaxXlsxEntryBytes = "PAFT_MAX_XLSX_ENTRY_BYTES";

    /// <summary>The limits in force: the defaults, overridden by the environment.</summary>
    /// <exception cref="CommandInputException">A variable is set to something other than a positive whole number.</exception>
    public static InputLimits Current
    {
        get
        {
            InputLimits defaults = InputLimits.Default;
            return new InputLimits
            {
                MaxLineBytes = Read(MaxLineBytes, defaults.MaxLineBytes),
                MaxFieldLength = (int)Read(MaxFieldLength, defaults.MaxFieldLength, int.MaxValue),
                MaxTemplateLength = (int)Read(MaxTemplateLength, defaults.MaxTemplateLength, int.MaxValue),
                MaxXlsxEntryBytes = Read(MaxXlsxEntryBytes, defaults.MaxXlsxEntryBytes),
            };
        }
    }

    private static long Read(string variable, long fallback, long max = long.MaxValue)
    {
        string? text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0 || value > max)
            throw new CommandInputException($"environment variable {variable} must be a whole number from 1 to {max}, found '{text}'.");
        return value;
    }
}
