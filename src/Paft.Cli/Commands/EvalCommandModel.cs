using Microsoft.ML;
using Paft.Cli.Terminal;
using Paft.Llama.Lora;
using Paft.MLNet;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>
/// The model <c>paft eval</c> evaluates: a saved PAFT model folder as it was saved, or a base model folder
/// (the paper's "base" row), optionally with a PEFT LoRA adapter applied to it.
/// </summary>
internal static class EvalCommandModel
{
    /// <param name="mlContext">The context.</param>
    /// <param name="modelPath">A saved PAFT model folder or a base model folder.</param>
    /// <param name="adapterPath">A PEFT adapter to apply to a base model, or null.</param>
    /// <param name="task">The task the rows belong to; a saved model must have been trained for the same task.</param>
    /// <param name="inferenceTemplate">The template a base model renders with outside the evaluation's templates.</param>
    /// <param name="mode">The scoring mode asked for (<c>--mode</c>), or null: the saved model's, else letters.</param>
    /// <param name="maxLength">The prompt budget asked for (<c>--max-length</c>), or null: the saved model's, else the trainer's default.</param>
    /// <param name="warnings">Receives a warning when <paramref name="mode"/> works with the model's training target but does not measure what it taught.</param>
    /// <param name="computeType">The compute dtype asked for (<c>--dtype</c>), or null: the saved model's, else fp32.</param>
    public static PaftTransformer Load(MLContext mlContext, string modelPath, string? adapterPath, TaskDefinition task,
        PromptTemplate inferenceTemplate, ScoringMode? mode, int? maxLength = null, TextWriter? warnings = null, PaftComputeType? computeType = null)
    {
        // A saved model is a folder or its one-file form, a .zip (PaftTransformer.Save("model.zip")).
        bool archive = File.Exists(modelPath) && string.Equals(Path.GetExtension(modelPath), ".zip", StringComparison.OrdinalIgnoreCase);
        if (!archive && !Directory.Exists(modelPath))
            throw new CommandInputException($"--model: '{modelPath}' is not a folder.");
        if (archive || File.Exists(Path.Combine(modelPath, PaftTransformer.ManifestFileName)))
        {
            if (adapterPath is not null)
                throw new CommandInputException(
                    $"--adapter applies to a base model folder; '{modelPath}' is a saved PAFT model with its own adapter.");
            PaftTransformer saved = PaftTransformer.Load(mlContext, modelPath, baseModelPath: null, computeType);
            if (!string.Equals(saved.Task.Name, task.Name, StringComparison.OrdinalIgnoreCase))
                throw new CommandInputException($"--task is '{task.Name}' but the model in '{modelPath}' was trained for '{saved.Task.Name}'.");
            if (!saved.Task.Fields.SequenceEqual(task.Fields) || !saved.Task.OptionFields.SequenceEqual(task.OptionFields)
                || !saved.Task.AnswerLabels.SequenceEqual(task.AnswerLabels))
                throw new CommandInputException(
                    $"The task '{task.Name}' given has fields [{string.Join(", ", task.Fields)}], options [{string.Join(", ", task.OptionFields)}] and labels " +
                    $"[{string.Join(", ", task.AnswerLabels)}], but the model in '{modelPath}' was trained with [{string.Join(", ", saved.Task.Fields)}], " +
                    $"[{string.Join(", ", saved.Task.OptionFields)}] and [{string.Join(", ", saved.Task.AnswerLabels)}].");
            if (mode is { } m && saved.TrainingInfo?.AnswerTarget is { } target
                && AnswerTargetScoring.Problem(target, m) is { } problem)
            {
                string message = $"--mode {TrainCommandInputs.ModeName(m)} on the model in '{modelPath}': {problem.Message}";
                if (problem.IsError)
                    throw new CommandInputException(message);
                warnings?.WriteLine($"warning: {message}");
            }
            PaftTransformer scored = mode is { } chosen ? saved.WithScoring(chosen) : saved;
            return maxLength is { } length ? scored.WithMaxLength(length) : scored;
        }

        if (!File.Exists(Path.Combine(modelPath, "config.json")))
            throw new CommandInputException(
                $"--model: '{modelPath}' is neither a saved PAFT model ({PaftTransformer.ManifestFileName}) nor a base model (config.json).");
        if (adapterPath is not null && !File.Exists(Path.Combine(adapterPath, PeftAdapter.ConfigFileName)))
            throw new CommandInputException($"--adapter: '{adapterPath}' has no {PeftAdapter.ConfigFileName}.");
        return PaftTransformer.FromAdapter(mlContext, modelPath, adapterPath, task, inferenceTemplate, mode ?? ScoringMode.AnswerLetter,
            maxLength, computeType ?? PaftComputeType.Float32);
    }

    /// <summary>"the PAFT model in DIR (…)", "the base model DIR", "the base model DIR with the adapter DIR".</summary>
    public static string Describe(PaftTransformer model, string? adapterPath) =>
        model.TrainingInfo is { } info
            ? $"the fine-tuned model on '{model.BaseModelPath}' ({info.TrainingTemplateIds.Count} training template(s), {info.Steps} steps, seed {info.Seed})"
            : adapterPath is null ? $"the base model '{model.BaseModelPath}'" : $"the base model '{model.BaseModelPath}' with the adapter '{adapterPath}'";
}
