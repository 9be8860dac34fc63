using System.Globalization;
using System.Text.Json;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>Typed access to the fields of one JSON row; a missing or mistyped field throws a
/// <see cref="RowProblemException"/> naming it.</summary>
internal static class JsonFields
{
    public static JsonDocument Parse(string text) =>
        JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false });

    public static JsonElement Object(JsonElement row)
    {
        if (row.ValueKind != JsonValueKind.Object)
            throw new RowProblemException($"expected a JSON object, found {Describe(row.ValueKind)}");
        return row;
    }

    public static JsonElement Property(JsonElement row, string name)
    {
        if (!row.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            throw new RowProblemException($"field '{name}' is missing");
        return value;
    }

    public static bool Has(JsonElement row, string name) =>
        row.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null;

    public static string String(JsonElement row, string name)
    {
        JsonElement value = Property(row, name);
        if (value.ValueKind != JsonValueKind.String)
            throw new RowProblemException($"field '{name}' should be a string but is {Describe(value.ValueKind)}");
        return value.GetString()!;
    }

    /// <summary>An integer written as a JSON number or as a string of digits (HellaSwag and WinoGrande use both).</summary>
    public static int Integer(JsonElement row, string name)
    {
        JsonElement value = Property(row, name);
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number))
            return number;
        if (value.ValueKind == JsonValueKind.String
            && int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number))
            return number;
        throw new RowProblemException($"field '{name}' should be an integer but is {value.GetRawText()}");
    }

    public static IReadOnlyList<string> Strings(JsonElement row, string name, int expectedCount)
    {
        JsonElement value = Property(row, name);
        return StringArray(value, $"field '{name}'", expectedCount);
    }

    public static IReadOnlyList<string> StringArray(JsonElement value, string what, int expectedCount)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new RowProblemException($"{what} should be an array but is {Describe(value.ValueKind)}");
        var items = new List<string>();
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw new RowProblemException($"{what}[{items.Count}] should be a string but is {Describe(item.ValueKind)}");
            items.Add(item.GetString()!);
        }
        if (expectedCount >= 0 && items.Count != expectedCount)
            throw new RowProblemException($"{what} should hold {expectedCount} items but holds {items.Count}");
        return items;
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
