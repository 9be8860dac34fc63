using Paft.Llama;
using System.CommandLine;
using System.Text;
using Paft.Cli.Codegen;
using Paft.Cli.Project;
using Paft.Cli.Terminal;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft codegen (--config NAME.paftconfig | --model DIR) --out DIR [--name NAME] [--namespace NS] [--project console]
/// [--paft-reference PATH]</c>: writes <c>NAME.consumption.cs</c>, <c>NAME.training.cs</c> and, with <c>--project console</c>,
/// a console project that predicts with the model, as Model Builder does for its models.
/// </summary>
internal static class CodegenCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "The NAME.paftconfig project to generate code for (its last run's model, or train.out)." };
        var model = new Option<string>("--model") { Description = "A model folder saved by paft train (with its train_config.json), instead of or besides --config." };
        var output = new Option<string>("--out") { Description = "The folder to write the generated files to.", Required = true };
        var name = new Option<string>("--name") { Description = "The class and project name (default: the project's name, or the model folder's)." };
        var ns = new Option<string>("--namespace") { Description = "The namespace of the generated classes (default: NAMEModel)." };
        var project = new Option<string>("--project") { Description = "Also write a project that uses the model: console (NAME.csproj and Program.cs)." };
        project.AcceptOnlyFromAmong("console");
        var paftReference = new Option<string>("--paft-reference")
        {
            Description = "Reference Paft.MLNet by this project path (Paft.MLNet.csproj) instead of the NuGet package (offline use, tests).",
        };

        var command = new Command("codegen", "Generate C# that consumes and retrains a model: NAME.consumption.cs, NAME.training.cs, and a console project.")
        {
            config, model, output, name, ns, project, paftReference,
        };
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, stderr) =>
        {
            CodegenInput input = Input(parseResult.GetValue(config), parseResult.GetValue(model), parseResult.GetValue(name), parseResult.GetValue(ns));
            string? reference = parseResult.GetValue(paftReference);
            if (reference is not null && !File.Exists(reference))
                throw new CommandInputException($"--paft-reference: '{reference}' does not exist (give the path of Paft.MLNet.csproj).");
            if (reference is not null && parseResult.GetValue(project) is null)
                throw new CommandInputException("--paft-reference applies to --project console: it is the generated project's reference to the library.");
            string folder = Path.GetFullPath(parseResult.GetValue(output)!);

            var files = new List<(string Name, string Text)> { ($"{input.Name}.consumption.cs", ConsumptionCode.Write(input)) };
            string? noTraining = TrainingCode.Unsupported(input.Settings);
            if (noTraining is null)
                files.Add(($"{input.Name}.training.cs", TrainingCode.Write(input)));
            else
                stderr.WriteLine($"warning: {input.Name}.training.cs not written: {noTraining}.");
            if (parseResult.GetValue(project) == "console")
            {
                files.Add(($"{input.Name}.csproj", ConsoleProject.ProjectFile(input, reference)));
                files.Add(("Program.cs", ConsoleProject.Program(input, withTraining: noTraining is null)));
            }
            var utf8 = new UTF8Encoding(false);
            foreach ((string file, string text) in files)
            {
                byte[] bytes = utf8.GetBytes(text);
                AtomicFile.Write(Path.Combine(folder, file), stream => stream.Write(bytes));
                stdout.WriteLine($"Wrote '{Path.Combine(folder, file)}'.");
            }
            if (!File.Exists(Path.Combine(input.ModelFolder, "paft_model.json")))
                stderr.WriteLine($"warning: '{input.ModelFolder}' holds no model yet: train it (paft train --config) before predicting.");
            return CommandExit.Success;
        }));
        return command;
    }

    /// <summary>The settings, task and model folder of a project file, of a model folder's train_config.json, or of both.</summary>
    private static CodegenInput Input(string? configPath, string? modelFolder, string? name, string? ns)
    {
        if (configPath is null && modelFolder is null)
            throw new CommandInputException("--config NAME.paftconfig or --model DIR is required: the model to generate code for.");
        TrainCommandConfig settings;
        string source, folder;
        string? projectName = null;
        if (configPath is not null)
        {
            PaftProjectFile project = PaftProjectFile.Load(configPath);
            settings = project.Settings.WithDefaults();
            projectName = project.Name;
            source = Path.GetFileName(project.Path);
            folder = Path.GetFullPath(modelFolder ?? (project.LastRun is { } run ? Path.Combine(project.Folder, run.ModelFolder) : settings.Out!));
        }
        else
        {
            folder = Path.GetFullPath(modelFolder!);
            string recorded = Path.Combine(folder, TrainCommandRunner.ConfigFileName);
            if (!File.Exists(recorded))
                throw new CommandInputException($"--model: '{folder}' has no {TrainCommandRunner.ConfigFileName}: give a model folder saved by paft train, or --config.");
            settings = TrainCommandConfig.Load(recorded).WithDefaults();
            source = Path.Combine(Path.GetFileName(folder), TrainCommandRunner.ConfigFileName);
        }
        string className = CSharpText.Identifier(name ?? projectName ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)));
        string namespaceName = ns ?? className + "Model";
        if (namespaceName.Split('.').Any(part => CSharpText.Identifier(part) != part))
            throw new CommandInputException($"--namespace '{namespaceName}' is not a C# namespace name.");
        TaskDefinition task = TrainCommandInputs.Task(settings.Task, settings.TaskDef);
        return new CodegenInput(className, namespaceName, task, folder, settings, source);
    }
}
