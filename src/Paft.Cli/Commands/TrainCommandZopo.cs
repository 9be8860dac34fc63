using System.Globalization;
using Paft.Cli.Terminal;
using Paft.MLNet;
using Paft.MLNet.Connectors;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft train --zopo</c>: ZOPO's budgeted search over embeddings of the pool's templates — the base model's hidden states,
/// or with <c>--embedding-endpoint</c> a sentence-embedding model's — printing which embedder placed them.
/// </summary>
internal static class TrainCommandZopo
{
    /// <summary>
    /// Searches <paramref name="pool"/> and returns the SFT trainer on the template found; progress and the embedder go to
    /// <paramref name="output"/>.
    /// </summary>
    /// <param name="trainers">The catalog that selects and builds the trainer.</param>
    /// <param name="options">The trainer's options; its templates are the pool's.</param>
    /// <param name="settings">The validated run settings (validation file, budget, embedding model).</param>
    /// <param name="pool">The --prompts pool.</param>
    /// <param name="task">The task.</param>
    /// <param name="output">Progress and the embedder used.</param>
    /// <param name="method">How the run is described in its summary lines.</param>
    /// <param name="chosenTemplate">The record of the chosen template, and of the embedder, for train_config.json.</param>
    public static PaftTrainer Choose(PaftTrainersCatalog trainers, PaftTrainerOptions options, TrainCommandConfig settings, PromptPool pool,
        TaskDefinition task, TextWriter output, out string method, out TrainChosenTemplate chosenTemplate)
    {
        IReadOnlyList<TaskExample> validation = TrainCommandInputs.Rows(task, settings.Validation!, null, "--validation");
        var zopo = new ZopoOptions { Budget = settings.ZopoBudget!.Value, Seed = options.Seed };
        // Made before the base model is loaded, so a missing key variable costs no checkpoint load.
        using EmbeddingModelTemplateEmbedder? embedder = CreateEmbedder(settings);
        string embedderName = embedder?.Name ?? TrainChosenTemplate.BaseModelHiddenStates;
        output.WriteLine(embedder is null
            ? "ZOPO: the templates are embedded by the base model's hidden states."
            : $"ZOPO: the templates are embedded by {embedder.Name} (at most {embedder.BatchSize} a request).");
        output.WriteLine($"ZOPO: searching {pool.Count} templates with the base model on {validation.Count} validation rows " +
            $"(at most {Math.Min(zopo.Budget, pool.Count)} evaluated)...");

        PaftTrainer chosen;
        ZopoResult result;
        try
        {
            chosen = trainers.ZopoFineTuning(options, TrainCommandInputs.ToDataView(validation, task), zopo, out result, embedder);
        }
        catch (EmbeddingModelException e)
        {
            // The message names the model and the template and carries no key (the embedder redacts it).
            throw new CommandInputException($"--embedding-endpoint: {e.Message} Nothing was trained.", e);
        }
        if (embedder is not null)
            output.WriteLine($"ZOPO: {pool.Count} templates embedded by {embedder.Name} in {embedder.RequestCount} request(s).");

        method = string.Create(CultureInfo.InvariantCulture,
            $"ZOPO SFT on template '{result.Best.Id}' ({result.Trace.Count} of {pool.Count} templates evaluated, best validation accuracy {100 * result.BestAccuracy:F1}%)");
        PromptTemplate template = chosen.Options.TrainingTemplates[0];
        chosenTemplate = new TrainChosenTemplate(template.Id, template.Text, TrainChosenTemplate.FromPool, Embedder: embedderName);
        return chosen;
    }

    private static EmbeddingModelTemplateEmbedder? CreateEmbedder(TrainCommandConfig settings)
    {
        if (settings.EmbeddingSettings() is not { } embeddingSettings)
            return null;
        try
        {
            return LlmClientFactory.CreateTemplateEmbedder(embeddingSettings);
        }
        catch (InvalidOperationException e)
        {
            throw new CommandInputException($"--embedding-api-key-env: {e.Message}", e);
        }
    }
}
