using System.CommandLine;
using Paft.Cli.Project;
using Paft.Cli.Terminal;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft init --name NAME --model DIR (--task TASK | --task-def FILE) --data FILE --prompts FILE [training flags]
/// [--template-id ID] [--mode MODE] [--out DIR] [--eval-data FILE --eval-prompts FILE] [--dir DIR] [--force]</c>:
/// writes <c>NAME.paftconfig</c>, a project that <c>paft train --config</c> replays and <c>paft codegen</c> generates code for.
/// </summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The project's name: the file is NAME.paftconfig, and generated code is named after it.", Required = true };
        var model = new Option<string>("--model") { Description = "The base model folder (Hugging Face layout)." };
        var stream = new TrainingStreamFlags();
        var templateId = new Option<string>("--template-id") { Description = "Supervised fine-tuning on this one template of the pool instead of PAFT." };
        var mode = new Option<string>("--mode") { Description = "How the saved model answers: loglik (default), loglik-option, loglik-norm or generate." };
        var output = new Option<string>("--out") { Description = "The folder training saves the model to (default: NAME-model beside the project file)." };
        var evalData = new Option<string>("--eval-data") { Description = "The test rows the model is evaluated on." };
        var evalPrompts = new Option<string>("--eval-prompts") { Description = "The held-out test template pool (the test side of the template split)." };
        var folder = new Option<string>("--dir") { Description = "The folder to write NAME.paftconfig to (default: the current folder)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing NAME.paftconfig." };

        var command = new Command("init", "Write a NAME.paftconfig project: the task, data, template pools, training recipe and output, for paft train --config and paft codegen.")
        {
            name, model,
        };
        foreach (Option option in stream.Inputs.Append(templateId).Concat(stream.Settings).Concat([mode, output, evalData, evalPrompts, folder, force]))
            command.Options.Add(option);

        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, _) =>
        {
            string projectName = parseResult.GetValue(name)!;
            if (projectName.Length == 0 || projectName.IndexOfAny([.. Path.GetInvalidFileNameChars(), '.']) >= 0)
                throw new CommandInputException($"--name '{projectName}' must be a file name without dots or path separators.");
            string dir = Path.GetFullPath(parseResult.GetValue(folder) ?? ".");
            string path = Path.Combine(dir, projectName + PaftProjectFile.Extension);
            if (File.Exists(path) && !parseResult.GetValue(force))
                throw new CommandInputException($"'{path}' exists; add --force to replace it (its lastRun is then lost).");

            bool Given(Option option) => parseResult.GetResult(option) is { Implicit: false };
            string? Text(Option<string> option) => Given(option) ? parseResult.GetValue(option) : null;
            // The same record and the same reading of the shared flags as paft train: a project trains what the flags would.
            TrainCommandConfig settings = stream.Read(parseResult, new TrainCommandConfig
            {
                Model = Text(model),
                TemplateId = Text(templateId),
                Mode = Text(mode),
                Out = Path.GetFullPath(Text(output) ?? Path.Combine(dir, projectName + "-model")),
            }).WithDefaults();
            settings.Validate();
            if (!Directory.Exists(settings.Model))
                throw new CommandInputException($"--model: '{settings.Model}' is not a folder.");
            TaskDefinition task = TrainCommandInputs.Task(settings.Task, settings.TaskDef);
            TrainCommandInputs.Pool(settings.Prompts!, task, settings.EscapedNewlines == true);
            if (!File.Exists(settings.Data) && !Directory.Exists(settings.Data))
                throw new CommandInputException($"--data: '{settings.Data}' does not exist.");
            PaftProjectEvaluation? evaluation = null;
            if (Text(evalData) is not null || Text(evalPrompts) is not null)
            {
                evaluation = new PaftProjectEvaluation { Data = Text(evalData), Prompts = Text(evalPrompts) };
                foreach ((string? file, string flag) in new[] { (evaluation.Data, "--eval-data"), (evaluation.Prompts, "--eval-prompts") })
                    if (file is not null && !File.Exists(file) && !Directory.Exists(file))
                        throw new CommandInputException($"{flag}: '{file}' does not exist.");
            }

            PaftProjectFile.Create(path, projectName, settings, task, evaluation);
            stdout.WriteLine($"Wrote '{path}'.");
            stdout.WriteLine($"Train it with: paft train --config {path}");
            stdout.WriteLine($"Generate code for it with: paft codegen --config {path} --out DIR [--project console]");
            return CommandExit.Success;
        }));
        return command;
    }
}
