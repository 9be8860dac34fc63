using System.CommandLine;
using Paft.Cli.Terminal;
using Paft.MLNet.Connectors;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft prompts validate (--task TASK | --task-def FILE) --prompts FILE [--escaped-newlines]</c>: one verdict a template
/// (it parses, uses every field of the task and no other); exit code 1 when any template is invalid.
/// </summary>
internal static class PromptsValidateCommand
{
    public static Command Create()
    {
        Option<string> task = PromptsCommandOptions.Task(required: false);
        Option<string> taskDef = PromptsCommandOptions.TaskDefinitionFile();
        Option<string> prompts = PromptsCommandOptions.PromptsFile();
        Option<bool> escaped = PromptsCommandOptions.EscapedNewlines();
        var command = new Command("validate", "Check that every template of a pool parses and uses exactly the task's fields.")
        {
            task, taskDef, prompts, escaped,
        };
        command.SetAction(parseResult => PromptsCommandOptions.Run(parseResult, output => Validate(
            PromptsCommandOptions.TaskOf(parseResult.GetValue(task), parseResult.GetValue(taskDef)),
            parseResult.GetValue(prompts)!,
            PromptsCommandOptions.Escaping(parseResult.GetValue(escaped)),
            output)));
        return command;
    }

    private static int Validate(TaskDefinition task, string path, PromptTextEscaping escaping, TextWriter output)
    {
        IReadOnlyList<TemplateVerdict> verdicts = PromptPoolFiles.CheckFile(path, task, escaping, CliInputLimits.Current);
        foreach (TemplateVerdict verdict in verdicts)
        {
            if (verdict.IsValid)
            {
                output.WriteLine($"OK       {verdict.Id}");
                continue;
            }
            output.WriteLine($"INVALID  {verdict.Id} ({verdict.Location})");
            foreach (string problem in verdict.Problems)
                output.WriteLine($"         {problem}");
        }
        int invalid = verdicts.Count(v => !v.IsValid);
        output.WriteLine($"{verdicts.Count} templates for task '{task.Name}': {verdicts.Count - invalid} valid, {invalid} invalid.");
        return invalid == 0 ? PromptsCommandOptions.Success : PromptsCommandOptions.InvalidTemplates;
    }
}
