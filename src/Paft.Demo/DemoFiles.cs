using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Demo;

/// <summary>
/// The demo's task, rows and pools as the files the <c>paft</c> commands read, beside the models: <c>task.json</c>
/// (<see cref="TaskDefinitionFile"/>, for <c>--task-def</c>), <c>data/train.jsonl</c>, <c>data/validation.jsonl</c> and
/// <c>data/test.jsonl</c> (<see cref="TaskDataJsonl"/>, for <c>--data</c> and <c>--validation</c>), and
/// <c>prompts/train.jsonl</c> and <c>prompts/test.jsonl</c> (<see cref="PromptPool.Save"/>, for <c>--prompts</c>).
/// With them, any method the demo ran can be retrained or re-evaluated by the CLI on exactly the demo's data.
/// </summary>
public static class DemoFiles
{
    /// <summary>The task definition file's name.</summary>
    public const string TaskFileName = "task.json";

    /// <summary>The folder of the rows.</summary>
    public const string DataFolderName = "data";

    /// <summary>The folder of the template pools.</summary>
    public const string PromptsFolderName = "prompts";

    /// <summary>Writes the files of <paramref name="demo"/> into <paramref name="folder"/> (each atomically).</summary>
    public static void Write(DemoBase demo, string folder)
    {
        ArgumentNullException.ThrowIfNull(demo);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        TaskDefinitionFile.Save(demo.Task, Path.Combine(folder, TaskFileName));
        string data = Path.Combine(folder, DataFolderName);
        TaskDataJsonl.Write(demo.Task, demo.Splits.Train, Path.Combine(data, "train.jsonl"));
        TaskDataJsonl.Write(demo.Task, demo.Splits.Validation, Path.Combine(data, "validation.jsonl"));
        TaskDataJsonl.Write(demo.Task, demo.Splits.Test, Path.Combine(data, "test.jsonl"));
        string prompts = Path.Combine(folder, PromptsFolderName);
        PromptPool.FromTemplates(demo.TrainTemplates).Save(Path.Combine(prompts, "train.jsonl"));
        PromptPool.FromTemplates(demo.TestTemplates).Save(Path.Combine(prompts, "test.jsonl"));
    }
}
