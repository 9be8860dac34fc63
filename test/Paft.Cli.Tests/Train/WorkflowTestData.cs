using System.Text.Json;
using Paft.Tests.Common;

namespace Paft.Cli.Tests.Train;

/// <summary>A temporary folder with what the workflow command tests train and evaluate on: the tiny Llama 2 fixture, PIQA rows, a pool the test writes.</summary>
internal sealed class WorkflowTestData : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("paft-cli-workflow-").FullName;

    /// <summary>The tiny Llama 2 checkpoint with the real 32k vocabulary.</summary>
    public static string Model => SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");

    /// <summary>PIQA's dev rows; the reader finds valid-labels.lst beside them.</summary>
    public static string Piqa => SharedData.Path("benchmarks", "piqa", "valid.jsonl");

    public static readonly string[] PoolIds = ["goal-first", "options-first", "question"];

    public string PathOf(params string[] parts) => Path.Combine([Folder, .. parts]);

    /// <summary>Three valid PIQA templates, written by the test (nothing copied from ../shared).</summary>
    public string WritePool(string name = "pool.jsonl")
    {
        string[] texts =
        [
            "Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:",
            "A. {sol1}\nB. {sol2}\nWhich of these achieves the goal \"{goal}\"? Answer:",
            "Question: how would you {goal}\n(A) {sol1}\n(B) {sol2}\nAnswer:",
        ];
        string path = PathOf(name);
        File.WriteAllLines(path, PoolIds.Zip(texts, (id, text) => JsonSerializer.Serialize(new { id, text })));
        return path;
    }

    /// <summary>The first rows of PIQA's dev set with their labels, as a small validation file (in the temporary folder).</summary>
    public string WriteValidation(int rows)
    {
        string path = PathOf("validation.jsonl");
        File.WriteAllLines(path, File.ReadLines(Piqa).Take(rows));
        File.WriteAllLines(PathOf("validation-labels.lst"),
            File.ReadLines(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Piqa)!, "valid-labels.lst")).Take(rows));
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A native handle may still hold a file on some systems; the OS cleans temp.
        }
    }
}
