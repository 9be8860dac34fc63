using System.Text.Json;
using Paft.MLNet;
using Paft.Llama;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.Cli.Export;

/// <summary>
/// The PAFT training stream of a <c>paft train</c> run, row by row in visiting order, taken from the trainer's own
/// <see cref="PaftTrainingStream"/> (the same code <see cref="PaftTrainer"/> tokenizes), and its canonical file
/// <c>stream.jsonl</c>, from which the trainer-specific files are written.
/// </summary>
internal static class TrainingStreamExport
{
    /// <summary>The canonical file: one JSON object a row, all epochs in training order.</summary>
    public const string FileName = "stream.jsonl";

    /// <summary>Every epoch's rows, in the order <see cref="PaftTrainer"/> trains on them with <paramref name="options"/>.</summary>
    public static IReadOnlyList<ExportedRow> Rows(PaftTrainerOptions options, IReadOnlyList<TaskExample> rows)
    {
        var stream = PaftTrainingStream.For(options, rows);
        int stepsPerEpoch = (rows.Count + stream.RowsPerStep - 1) / stream.RowsPerStep;
        var exported = new List<ExportedRow>(rows.Count * options.Epochs);
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            foreach (PaftStreamRow row in stream.Epoch(epoch))
            {
                string answer = PaftTrainingStream.Answer(options.Task, row.Row, options.AnswerTarget);
                exported.Add(new ExportedRow(epoch, row.Position, epoch * stepsPerEpoch + row.Position / stream.RowsPerStep + 1, row.RowIndex,
                    row.Row.Source, row.Template.Id, row.Prompt, PaftTrainingStream.Completion(row.Prompt, answer)));
            }
        }
        return exported;
    }

    /// <summary>Writes <see cref="FileName"/> atomically.</summary>
    public static void Write(string path, IReadOnlyList<ExportedRow> rows) => AtomicFile.Write(path, stream =>
    {
        foreach (ExportedRow r in rows)
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteNumber("epoch", r.Epoch);
                json.WriteNumber("position", r.Position);
                json.WriteNumber("step", r.Step);
                json.WriteNumber("row", r.Row);
                json.WriteString("source", r.Source);
                json.WriteString("template_id", r.TemplateId);
                json.WriteString("prompt", r.Prompt);
                json.WriteString("completion", r.Completion);
                json.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }
    });
}
