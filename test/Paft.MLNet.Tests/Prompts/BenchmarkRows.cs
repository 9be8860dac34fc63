using System.Text.Json;
using Paft.MLNet.Tasks;
using Paft.Tests.Common;

namespace Paft.MLNet.Tests.Prompts;

/// <summary>
/// Reads the first few rows of each benchmark in ../shared into <see cref="TaskExample"/>s, with the
/// PAFT authors' field names. Test-only and deliberately small: the real task readers live elsewhere.
/// </summary>
internal static class BenchmarkRows
{
    public static IReadOnlyList<TaskExample> Read(TaskDefinition task, int count) => task.Name switch
    {
        "hellaswag" => Rows(SharedData.Path("benchmarks", "hellaswag", "hellaswag_val_sample1000.jsonl"), count, row =>
        {
            string[] endings = row.GetProperty("endings").EnumerateArray().Select(e => e.GetString()!).ToArray();
            return (Fields(("ctx", row.GetProperty("ctx").GetString()!), ("A", endings[0]), ("B", endings[1]), ("C", endings[2]), ("D", endings[3])),
                row.GetProperty("label").GetInt32());
        }),
        "piqa" => PiqaRows(count),
        "winogrande" => Rows(SharedData.Path("benchmarks", "winogrande", "dev.jsonl"), count, row =>
            (Fields(("prompt", row.GetProperty("sentence").GetString()!),
                    ("only_option1", row.GetProperty("option1").GetString()!),
                    ("only_option2", row.GetProperty("option2").GetString()!)),
             int.Parse(row.GetProperty("answer").GetString()!) - 1)),
        "race" => Rows(SharedData.Path("benchmarks", "race", "validation_middle.jsonl"), count, row =>
        {
            string[] options = row.GetProperty("options").EnumerateArray().Select(e => e.GetString()!).ToArray();
            return (Fields(("article", row.GetProperty("article").GetString()!), ("question", row.GetProperty("question").GetString()!),
                    ("A", options[0]), ("B", options[1]), ("C", options[2]), ("D", options[3])),
                row.GetProperty("answer").GetString()![0] - 'A');
        }),
        _ => throw new ArgumentException($"No benchmark rows for task '{task.Name}'."),
    };

    private static IReadOnlyList<TaskExample> PiqaRows(int count)
    {
        string[] labels = File.ReadLines(SharedData.Path("benchmarks", "piqa", "valid-labels.lst")).Take(count).ToArray();
        int index = 0;
        return Rows(SharedData.Path("benchmarks", "piqa", "valid.jsonl"), count, row =>
            (Fields(("goal", row.GetProperty("goal").GetString()!), ("sol1", row.GetProperty("sol1").GetString()!),
                    ("sol2", row.GetProperty("sol2").GetString()!)),
             int.Parse(labels[index++])));
    }

    private static Dictionary<string, string> Fields(params (string Name, string Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => f.Value);

    private static IReadOnlyList<TaskExample> Rows(string path, int count, Func<JsonElement, (Dictionary<string, string> Fields, int Label)> convert)
    {
        var rows = new List<TaskExample>();
        int line = 0;
        foreach (string text in File.ReadLines(path).Take(count))
        {
            line++;
            using JsonDocument document = JsonDocument.Parse(text);
            (Dictionary<string, string> fields, int label) = convert(document.RootElement);
            rows.Add(new TaskExample(fields, label, $"{path} line {line}"));
        }
        return rows;
    }
}
