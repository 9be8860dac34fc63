using System.Security.Cryptography;
using System.Text;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Reporting;

/// <summary>
/// Fingerprints of what an evaluation ran on, recorded in its <c>run</c> so that <c>paft compare</c> can tell whether two
/// evaluations saw the same rows and the same test templates even when their files were moved or renamed. Each is a
/// lower-case hex SHA-256 over length-prefixed UTF-8 strings, so that no two different inputs concatenate alike.
/// </summary>
internal static class EvalInputHashes
{
    /// <summary>Over every row in order: each field of the task (name and value, in the task's order) and the label.</summary>
    public static string Rows(TaskDefinition task, IEnumerable<TaskExample> rows)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (TaskExample row in rows)
        {
            foreach (string field in task.Fields)
            {
                Append(hash, field);
                Append(hash, row.Fields[field]);
            }
            Append(hash, row.Label.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Over every template in order: its id and its text.</summary>
    public static string Templates(IEnumerable<PromptTemplate> templates)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (PromptTemplate template in templates)
        {
            Append(hash, template.Id);
            Append(hash, template.Text);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        hash.AppendData(BitConverter.GetBytes(bytes.Length));
        hash.AppendData(bytes);
    }
}
