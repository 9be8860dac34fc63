using System.CommandLine;
using Paft.Cli.Terminal;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Commands;

/// <summary>Options and conventions the <c>paft prompts</c> subcommands share.</summary>
internal static class PromptsCommandOptions
{
    /// <summary>Exit code when every template is fine.</summary>
    public const int Success = 0;

    /// <summary>Exit code when some template is invalid.</summary>
    public const int InvalidTemplates = 1;

    /// <summary>Exit code when the input cannot be used at all (missing or malformed file, bad argument).</summary>
    public const int BadInput = 2;

    public static Option<string> Task(bool required) => new("--task")
    {
        Description = $"The task: {string.Join(", ", TaskDefinition.BuiltIn.Select(t => t.Name))}.",
        Required = required,
    };

    public static Option<string> TaskDefinitionFile() => new("--task-def")
    {
        Description = "A task definition file (JSON: name, fields, optionFields, answerLabels) instead of --task.",
    };

    /// <summary>The task of <c>--task NAME</c> or <c>--task-def FILE</c>: exactly one of them.</summary>
    /// <exception cref="ArgumentException">Both or neither are given, or the name is unknown.</exception>
    public static TaskDefinition TaskOf(string? name, string? definitionFile)
    {
        if (name is not null && definitionFile is not null)
            throw new ArgumentException($"--task '{name}' and --task-def '{definitionFile}' both name the task; give one of them.");
        if (definitionFile is not null)
            return Paft.MLNet.Tasks.TaskDefinitionFile.Load(definitionFile);
        return name is not null
            ? TaskDefinition.FromName(name)
            : throw new ArgumentException("--task or --task-def is required: a built-in task or a task definition file.");
    }

    public static Option<string> PromptsFile() => new("--prompts")
    {
        Description = "The pool file (.jsonl with {\"id\",\"text\"} lines, .csv or .xlsx with a 'text' column).",
        Required = true,
    };

    public static Option<bool> EscapedNewlines() => new("--escaped-newlines")
    {
        Description = @"Templates spell newlines and tabs as the two characters \n and \t (the PAFT authors' files).",
    };

    public static Option<double> NearDuplicateThreshold() => new("--near-duplicate-threshold")
    {
        Description = "Jaccard similarity of 5-character shingles from which two templates are near duplicates.",
        DefaultValueFactory = _ => PromptPool.DefaultNearDuplicateThreshold,
    };

    public static PromptTextEscaping Escaping(bool escapedNewlines) =>
        escapedNewlines ? PromptTextEscaping.BackslashSequences : PromptTextEscaping.None;

    /// <summary>
    /// Runs a command body, turning the errors bad input causes (missing file, malformed row, unknown task,
    /// out-of-range number) into a message on standard error and <see cref="BadInput"/>.
    /// </summary>
    public static int Run(ParseResult parseResult, Func<TextWriter, int> body) =>
        CommandExit.Run(parseResult, (output, _) => body(output));
}
