using System.CommandLine;
using Paft.Cli.Export;
using Paft.Cli.Terminal;
using Paft.MLNet;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft export (--config TRAIN_CONFIG.json | --task TASK --data FILE --prompts FILE [training flags]) [--model DIR]
/// [--format all|llama-factory|trl] --out DIR</c>: writes the exact PAFT training stream of a <c>paft train</c> run —
/// every epoch's rows in visiting order with the template drawn for them, the rendered prompt and the answer — for
/// LLaMA-Factory and Hugging Face TRL, so a multi-GPU trainer trains on what <c>paft train</c> would.
/// </summary>
internal static class ExportCommand
{
    private static readonly string[] Formats = ["all", "llama-factory", "trl"];

    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "A paft train settings file (train_config.json beside a trained model, or paft train --print-config); flags override it." };
        var stream = new TrainingStreamFlags();
        var model = new Option<string>("--model") { Description = "The base model, written into the LLaMA-Factory YAML as model_name_or_path (a folder or hub id)." };
        var format = new Option<string>("--format") { Description = "all (default), llama-factory or trl.", DefaultValueFactory = _ => "all" };
        var output = new Option<string>("--out") { Description = "The folder to write stream.jsonl, llama_factory/ and trl/ to." };

        var command = new Command("export", "Write PAFT's training stream (rows, drawn templates, prompts, answers) for LLaMA-Factory and TRL.")
        {
            config, model,
        };
        foreach (Option option in stream.Inputs.Concat(stream.Settings).Concat([format, output]))
            command.Options.Add(option);
        command.SetAction(parseResult => CommandExit.Run(parseResult, (stdout, _) =>
        {
            string? Text(Option<string> option) => parseResult.GetResult(option) is { Implicit: false } ? parseResult.GetValue(option) : null;
            TrainCommandConfig flags = stream.Read(parseResult, new TrainCommandConfig { Model = Text(model) });
            string? configPath = Text(config);
            TrainCommandConfig settings = (configPath is null ? new TrainCommandConfig() : TrainCommandConfig.Load(configPath)).OverriddenBy(flags).WithDefaults();
            string outFolder = Text(output) ?? throw new CommandInputException("--out is required: the folder to write the export to.");
            string chosen = parseResult.GetValue(format)!;
            if (!Formats.Contains(chosen))
                throw new CommandInputException($"--format: '{chosen}' is not one of {string.Join(", ", Formats)}.");
            return Run(settings, chosen, outFolder, stdout);
        }));
        return command;
    }

    /// <summary>Writes the export of the run <paramref name="settings"/> describe (defaults filled).</summary>
    public static int Run(TrainCommandConfig settings, string format, string outFolder, TextWriter output)
    {
        foreach ((string? value, string flag, string key) in new[] { (settings.Data, "--data", "data"), (settings.Prompts, "--prompts", "prompts") })
            if (value is null)
                throw new CommandInputException($"{flag} (config key '{key}') is required.");
        if (settings.TemplateId is not null || settings.TopAccuracy == true || settings.Zopo == true || settings.Batprompt == true)
            throw new CommandInputException("paft export writes PAFT's stream over the whole pool; the settings choose one SFT template (templateId, topAccuracy, zopo or batprompt).");
        if (settings.LoraTargets is { Count: 0 })
            throw new CommandInputException("--lora-targets is empty: name at least one module, e.g. q_proj,v_proj.");

        TaskDefinition task = TrainCommandInputs.Task(settings.Task, settings.TaskDef);
        PromptPool pool = TrainCommandInputs.Pool(settings.Prompts!, task, settings.EscapedNewlines == true);
        IReadOnlyList<TaskExample> rows = TrainCommandInputs.Rows(task, settings.Data!, settings.Limit, "--data");
        PaftTrainerOptions options = TrainCommandRunner.TrainerOptions(settings, task, pool, checkpoints: null);
        IReadOnlyList<ExportedRow> stream = TrainingStreamExport.Rows(options, rows);

        TrainingStreamExport.Write(Path.Combine(outFolder, TrainingStreamExport.FileName), stream);
        if (format is "all" or "llama-factory")
            LlamaFactoryExport.Write(outFolder, stream, options, settings.Model);
        if (format is "all" or "trl")
            TrlExport.Write(outFolder, stream);

        int rowsPerStep = options.BatchSize * options.GradientAccumulationSteps;
        output.WriteLine($"Wrote {stream.Count} rows ({options.Epochs} epoch(s) of {rows.Count}, K = {options.RedrawEverySteps} steps of {rowsPerStep} rows, seed {options.Seed}) to '{Path.GetFullPath(outFolder)}'.");
        if (rows.Count % rowsPerStep != 0)
            output.WriteLine($"Note: {rows.Count} rows are not a multiple of {rowsPerStep} rows a step: paft train ends each epoch with a shorter step, " +
                             "while a trainer reading the file as one epoch fills that step from the next epoch (same rows and templates, steps shifted).");
        return CommandExit.Success;
    }
}
