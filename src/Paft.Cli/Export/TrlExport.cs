using System.Text.Json;
using Paft.Llama;
using Paft.MLNet.Prompts;

namespace Paft.Cli.Export;

/// <summary>
/// The stream in Hugging Face TRL's standard prompt-completion format: <c>trl/train.jsonl</c>, one
/// <c>{"prompt", "completion"}</c> object a row, every epoch in training order (train it as one epoch, unshuffled).
/// </summary>
internal static class TrlExport
{
    public const string Folder = "trl";
    public const string FileName = "train.jsonl";

    public static void Write(string outFolder, IReadOnlyList<ExportedRow> rows) =>
        AtomicFile.Write(Path.Combine(outFolder, Folder, FileName), stream =>
        {
            foreach (ExportedRow r in rows)
            {
                using (var json = new Utf8JsonWriter(stream))
                {
                    json.WriteStartObject();
                    json.WriteString("prompt", r.Prompt);
                    json.WriteString("completion", r.Completion);
                    json.WriteEndObject();
                }
                stream.WriteByte((byte)'\n');
            }
        });
}
