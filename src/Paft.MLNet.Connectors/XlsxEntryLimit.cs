using System.Globalization;
using System.IO.Compression;

namespace Paft.MLNet.Connectors;

/// <summary>
/// Checks an .xlsx file (a zip) before the OpenXML reader inflates it: every entry's declared size, and
/// the size it actually inflates to (a zip can lie about the first), must stay within
/// <see cref="InputLimits.MaxXlsxEntryBytes"/>. Inflating to count streams through a small buffer, so a
/// bomb is refused with little memory, where the reader would build the whole sheet in memory.
/// </summary>
internal static class XlsxEntryLimit
{
    public static void Check(string path, long maxEntryBytes)
    {
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a readable .xlsx workbook ({e.Message}).", e);
        }
        using (archive)
        {
            byte[] buffer = new byte[1 << 16];
            foreach (ZipArchiveEntry entry in archive.Entries)
            {
                if (entry.Length > maxEntryBytes)
                    throw TooLarge(path, entry.FullName, $"declares {entry.Length:N0} bytes inflated", maxEntryBytes);
                long total = 0;
                try
                {
                    using Stream content = entry.Open();
                    int read;
                    while (total <= maxEntryBytes && (read = content.Read(buffer, 0, buffer.Length)) > 0)
                        total += read;
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{path}: not a readable .xlsx workbook (entry '{entry.FullName}': {e.Message}).", e);
                }
                if (total > maxEntryBytes)
                    throw TooLarge(path, entry.FullName, $"inflates to more than {maxEntryBytes:N0} bytes", maxEntryBytes);
            }
        }
    }

    private static InvalidDataException TooLarge(string path, string entry, string what, long limit) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{path}: workbook part '{entry}' {what} ({InputLimits.Describe(nameof(InputLimits.MaxXlsxEntryBytes), limit)}); refused as a possible zip bomb."));
}
