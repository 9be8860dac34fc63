using Microsoft.ML;
using Paft.Cli.Terminal;
using Paft.Llama.Lora;
using Paft.MLNet;
using Paft.MLNet.Model;
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
    /// <summary>Prediction batch size and generated tokens for a base model, as <see cref="PaftTrainerOptions"/> defaults them.</summary>
    private static readonly PaftTrainerOptions Defaults = new();

    public static PaftTransformer Load(MLContext mlContext, string modelPath, string? adapterPath, TaskDefinition task,
        PromptTemplate inferenceTemplate, ScoringMode? mode, PaftComputeType? computeType = null)
    {
        if (!Directory.Exists(modelPath))
            throw new CommandInputException($"--model: '{modelPath}' is not a folder.");
        if (File.Exists(Path.Combine(modelPath, PaftModelFiles.ManifestName)))
        {
            if (adapterPath is not null)
                throw new CommandInputException(
                    $"--adapter applies to a base model folder; '{modelPath}' is a saved PAFT model with its own adapter.");
            PaftTransformer saved = new(mlContext, PaftModelFiles.Load(modelPath, null, computeType));
            if (!string.Equals(saved.Task.Name, task.Name, StringComparison.OrdinalIgnoreCase))
                throw new CommandInputException($"--task is '{task.Name}' but the model in '{modelPath}' was trained for '{saved.Task.Name}'.");
            return mode is { } m ? saved.WithScoring(m) : saved;
        }

        if (!File.Exists(Path.Combine(modelPath, "config.json")))
            throw new CommandInputException(
                $"--model: '{modelPath}' is neither a saved PAFT model ({PaftModelFiles.ManifestName}) nor a base model (config.json).");
        BaseModel baseModel = BaseModel.Load(modelPath, null, computeType ?? PaftComputeType.Float32);
        LoraAdapterSet? lora = null;
        if (adapterPath is not null)
        {
            if (!File.Exists(Path.Combine(adapterPath, PeftAdapter.ConfigFileName)))
                throw new CommandInputException($"--adapter: '{adapterPath}' has no {PeftAdapter.ConfigFileName}.");
            lora = PeftAdapter.Load(baseModel.Model, adapterPath);
        }
        return new PaftTransformer(mlContext, new PaftModel(baseModel, lora, task, inferenceTemplate, mode ?? ScoringMode.AnswerLetter,
            Defaults.PredictionBatchSize, Defaults.MaxNewTokens, Defaults.MaxLength, training: null));
    }

    /// <summary>"the PAFT model in DIR (…)", "the base model DIR", "the base model DIR with the adapter DIR".</summary>
    public static string Describe(PaftTransformer model, string? adapterPath) =>
        model.TrainingInfo is { } info
            ? $"the fine-tuned model on '{model.BaseModelPath}' ({info.TrainingTemplateIds.Count} training template(s), {info.Steps} steps, seed {info.Seed})"
            : adapterPath is null ? $"the base model '{model.BaseModelPath}'" : $"the base model '{model.BaseModelPath}' with the adapter '{adapterPath}'";
}
