using System.Globalization;
using System.Text;

namespace Paft.Cli.Codegen;

/// <summary>C# spellings for generated code: identifiers from column names, literals from values.</summary>
internal static class CSharpText
{
    /// <summary>A PascalCase identifier for a column or project name: <c>sol1</c> is <c>Sol1</c>, <c>only-option1</c> is <c>OnlyOption1</c>.</summary>
    public static string Identifier(string name)
    {
        var text = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                text.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }
        if (text.Length == 0 || char.IsDigit(text[0]))
            text.Insert(0, '_');
        return text.ToString();
    }

    /// <summary>A verbatim string literal.</summary>
    public static string String(string value) => "@\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A double literal that reads back to the same value.</summary>
    public static string Double(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>An XML-doc-safe text.</summary>
    public static string Xml(string text) => System.Security.SecurityElement.Escape(text) ?? "";
}
