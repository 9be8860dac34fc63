using System.Text.Json;

namespace Paft.Llama;

/// <summary>Reads the small JSON files of model and adapter folders, with errors that name the file.</summary>
internal static class JsonFile
{
    /// <summary>Parses <paramref name="path"/>, whose top level must be an object; the caller disposes the document.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for the not-found message (e.g. "PEFT adapter config").</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not JSON, or its top level is not an object.</exception>
    public static JsonDocument ReadObject(string path, string what)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InvalidDataException($"'{path}': the top level must be a JSON object.");
        }
        return document;
    }
}
