using System.Text.Json;

namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// WinoGrande: <c>sentence</c> with one <c>_</c> blank, <c>option1</c>, <c>option2</c>, <c>answer</c>
/// ("1" or "2"; "" in the unlabelled test split).
/// </summary>
/// <remarks>
/// Field contents follow OpenCompass's <c>WinograndeDatasetV2</c>, which the PAFT authors evaluated
/// with, and their released SFT data ("Question: Sarah was a much better surgeon than Maria so _ always
/// got the easier cases.\nA. Sarah\nB. Maria"): <c>prompt</c> is the whole sentence, blank included;
/// <c>only_option1</c>/<c>only_option2</c> are the bare fillers. Filling the blank
/// (<c>prompt.Replace("_", option)</c>) gives the completed sentence. A sentence without a blank is
/// malformed.
/// </remarks>
internal static class WinoGrandeReader
{
    public static TaskReadResult Read(string path, ReaderOptions options)
    {
        TaskDefinition task = TaskDefinition.WinoGrande;
        var rows = new RowCollector(task, options);
        JsonLines.ReadInto(rows, path, (row, source) => [Map(task, row, source)]);
        return rows.ToResult();
    }

    private static TaskExample Map(TaskDefinition task, JsonElement row, string source)
    {
        string sentence = JsonFields.String(row, "sentence");
        if (!sentence.Contains('_'))
            throw new RowProblemException("field 'sentence' has no '_' blank");
        string option1 = JsonFields.String(row, "option1");
        string option2 = JsonFields.String(row, "option2");
        JsonElement answer = JsonFields.Property(row, "answer");
        int label = answer.ValueKind == JsonValueKind.String && answer.GetString()!.Length == 0
            ? -1
            : JsonFields.Integer(row, "answer") switch
            {
                1 => 0,
                2 => 1,
                int other => throw new RowProblemException($"field 'answer' is {other}, not 1 or 2"),
            };
        return ExampleBuilder.Create(task, [sentence, option1, option2], label, source);
    }
}
