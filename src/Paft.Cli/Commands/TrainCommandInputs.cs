using Microsoft.ML;
using Paft.Cli.Terminal;
using Paft.MLNet.Connectors;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>Reading what <c>paft train</c> and <c>paft eval</c> both take: the task, its rows, the template pool, the scoring mode.</summary>
internal static class TrainCommandInputs
{
    /// <summary>The names of <c>--mode</c>, in the order of <see cref="ScoringMode"/>.</summary>
    public static readonly IReadOnlyList<(string Name, ScoringMode Mode)> Modes =
    [
        ("loglik", ScoringMode.AnswerLetter),
        ("loglik-option", ScoringMode.OptionText),
        ("loglik-norm", ScoringMode.OptionTextNormalized),
        ("generate", ScoringMode.Generation),
    ];

    public static TaskDefinition Task(string name) => TaskDefinition.FromName(name);

    /// <summary>
    /// The task of <c>--task NAME</c> (a built-in task) or of <c>--task-def FILE</c> (a task definition file, whose rows are
    /// then read in the generic jsonl layout): exactly one of them.
    /// </summary>
    public static TaskDefinition Task(string? name, string? definitionFile)
    {
        if (name is not null && definitionFile is not null)
            throw new CommandInputException(
                $"--task '{name}' and --task-def '{definitionFile}' both name the task; give one of them (--task for a built-in task, --task-def for your own).");
        if (definitionFile is not null)
        {
            if (!File.Exists(definitionFile))
                throw new CommandInputException($"--task-def: '{definitionFile}' does not exist.");
            return TaskDefinitionFile.Load(definitionFile);
        }
        if (name is null)
            throw new CommandInputException(
                $"--task or --task-def is required: a built-in task ({string.Join(", ", TaskDefinition.BuiltIn.Select(t => t.Name))}) or a task definition file.");
        return Task(name);
    }

    /// <summary>How to name the task on a command line: <c>--task NAME</c>, or <c>--task-def FILE</c> for a task from a file.</summary>
    public static string TaskFlag(TaskDefinition task, string? definitionFile) =>
        definitionFile is null ? $"--task {task.Name}" : $"--task-def {Path.GetFullPath(definitionFile)}";

    public static ScoringMode Mode(string name, string flag) =>
        Modes.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } found
            ? found.Mode
            : throw new CommandInputException($"{flag} '{name}' is not a scoring mode; use one of {string.Join(", ", Modes.Select(m => m.Name))}.");

    public static string ModeName(ScoringMode mode) => Modes.First(m => m.Mode == mode).Name;

    private static readonly (string Name, PaftRecipe Recipe)[] Recipes = [("paper", PaftRecipe.Paper), ("small-model", PaftRecipe.SmallModel)];

    private static readonly (string Name, AnswerTarget Target)[] AnswerTargets = [("letter", Paft.MLNet.Training.AnswerTarget.Letter), ("option-text", Paft.MLNet.Training.AnswerTarget.OptionText)];

    /// <summary>The recipe a <c>--recipe</c> value names (<c>paper</c>, <c>small-model</c>).</summary>
    public static PaftRecipe Recipe(string name, string flag) =>
        Recipes.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } found
            ? found.Recipe
            : throw new CommandInputException($"{flag}: '{name}' is not a recipe; use {string.Join(" or ", Recipes.Select(r => r.Name))}.");

    /// <summary>The <c>--recipe</c> value of a recipe.</summary>
    public static string RecipeName(PaftRecipe recipe) => Recipes.First(r => r.Recipe == recipe).Name;

    /// <summary>The answer target an <c>--answer-target</c> value names (<c>letter</c>, <c>option-text</c>).</summary>
    public static AnswerTarget AnswerTarget(string name, string flag) =>
        AnswerTargets.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } found
            ? found.Target
            : throw new CommandInputException($"{flag}: '{name}' is not an answer target; use {string.Join(" or ", AnswerTargets.Select(t => t.Name))}.");

    /// <summary>The <c>--answer-target</c> value of an answer target.</summary>
    public static string AnswerTargetName(AnswerTarget target) => AnswerTargets.First(t => t.Target == target).Name;

    /// <summary>Reads the task rows, keeping the first <paramref name="limit"/> when given. Every row must be labelled.</summary>
    public static IReadOnlyList<TaskExample> Rows(TaskDefinition task, string path, int? limit, string flag)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new CommandInputException($"{flag}: '{path}' does not exist.");
        if (limit is < 1)
            throw new CommandInputException($"--limit must be at least 1 (got {limit}).");
        TaskReadResult read = TaskReaders.Read(task, path, new ReaderOptions { Limits = CliInputLimits.Current });
        IReadOnlyList<TaskExample> rows = limit is { } n ? read.Take(n).ToArray() : read;
        if (rows.Count == 0)
            throw new CommandInputException($"{flag}: '{path}' has no rows.");
        if (rows.FirstOrDefault(r => r.Label < 0) is { } unlabelled)
            throw new CommandInputException(
                $"{flag}: row {unlabelled.Source} of '{path}' has no label" +
                (ReferenceEquals(task, TaskDefinition.Piqa) ? " (PIQA needs its labels file beside the jsonl: <name>-labels.lst)." : "."));
        return rows;
    }

    public static IDataView ToDataView(IReadOnlyList<TaskExample> rows, TaskDefinition task) => rows.ToDataView(task);

    /// <summary>
    /// The message of a prompt that does not fit, with the row named by its file and line: the library sees the rows through
    /// an <see cref="IDataView"/> and names them by position ("row 3"), which is the index into <paramref name="rows"/>.
    /// </summary>
    public static string Describe(Paft.MLNet.Training.PromptTooLongException e, IReadOnlyList<TaskExample> rows)
    {
        System.Text.RegularExpressions.Match match = System.Text.RegularExpressions.Regex.Match(e.Message, @"^Row row (\d+) ");
        return match.Success && int.TryParse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out int index)
               && index < rows.Count && rows[index].Source.Length > 0
            ? $"Row {rows[index].Source} (row {index}) {e.Message[match.Length..]}"
            : e.Message;
    }

    /// <summary>Loads a pool and checks every template against the task, naming the first bad one.</summary>
    public static PromptPool Pool(string path, TaskDefinition task, bool escapedNewlines)
    {
        if (!File.Exists(path))
            throw new CommandInputException($"--prompts: '{path}' does not exist.");
        PromptPool pool = PromptPoolFiles.Load(path, escapedNewlines ? PromptTextEscaping.BackslashSequences : PromptTextEscaping.None, CliInputLimits.Current);
        if (pool.Count == 0)
            throw new CommandInputException($"--prompts: '{path}' holds no templates.");
        foreach (PromptPoolEntry entry in pool)
        {
            IReadOnlyList<TemplateProblem> problems = entry.Template.Validate(task);
            if (problems.Count > 0)
                throw new CommandInputException(
                    $"--prompts: template '{entry.Id}' in '{path}' is not valid for task '{task.Name}': {string.Join("; ", problems)} " +
                    "(`paft prompts validate` lists every problem of the file).");
        }
        return pool;
    }
}
