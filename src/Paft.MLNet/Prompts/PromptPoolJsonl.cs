using System.Text.Encodings.Web;
using System.Text.Json;
using Paft.MLNet.Input;

namespace Paft.MLNet.Prompts;

/// <summary>JSON Lines pools: one object a line with <c>text</c>, an optional <c>id</c>, and any other fields.</summary>
internal static class PromptPoolJsonl
{
    public static List<PromptRecord> Read(string path, long maxLineBytes)
    {
        var records = new List<PromptRecord>();
        foreach ((int lineNumber, string line) in StrictUtf8.ReadLines(path, maxLineBytes))
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            string location = $"{path} line {lineNumber}";
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{location}: not valid JSON ({e.Message}).", e);
            }
            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{location}: expected a JSON object with a \"text\" field, found {root.ValueKind}.");
                string? id = null;
                string? text = null;
                var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (JsonProperty property in root.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "text":
                            text = property.Value.ValueKind == JsonValueKind.String
                                ? property.Value.GetString()
                                : throw new InvalidDataException($"{location}: \"text\" must be a string, found {property.Value.ValueKind}.");
                            break;
                        case "id":
                            id = property.Value.ValueKind switch
                            {
                                JsonValueKind.String => property.Value.GetString(),
                                JsonValueKind.Number => property.Value.GetRawText(),
                                _ => throw new InvalidDataException($"{location}: \"id\" must be a string or a number, found {property.Value.ValueKind}."),
                            };
                            break;
                        default:
                            // Non-string values are kept as their JSON text (and written back as strings).
                            metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String
                                ? property.Value.GetString()!
                                : property.Value.GetRawText();
                            break;
                    }
                }
                if (text is null)
                    throw new InvalidDataException($"{location}: missing the \"text\" field.");
                records.Add(new PromptRecord(id, text, metadata, location));
            }
        }
        return records;
    }

    public static void Write(Stream stream, IEnumerable<PromptPoolEntry> entries)
    {
        // Relaxed escaping keeps non-ASCII text and quotes readable; the output is still valid JSON.
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };
        byte[] newline = "\n"u8.ToArray();
        foreach (PromptPoolEntry entry in entries)
        {
            using (var writer = new Utf8JsonWriter(stream, options))
            {
                writer.WriteStartObject();
                writer.WriteString("id", entry.Id);
                writer.WriteString("text", entry.Template.Text);
                foreach ((string key, string value) in entry.Metadata)
                    writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            stream.Write(newline);
        }
    }
}
