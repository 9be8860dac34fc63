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
    /// Trains SFT on the template ZOPO's search of <paramref name="pool"/> finds (the trainer searches in its <c>Fit</c>);
    /// progress and the embedder go to <paramref name="output"/>.
    /// </summary>
    /// <param name="trainers">The catalog that builds the trainer.</param>
    /// <param name="options">The trainer's options; its templates are the pool's.</param>
    /// <param name="settings">The validated run settings (validation file, budget, embedding model).</param>
    /// <param name="pool">The --prompts pool.</param>
    /// <param name="task">The task.</param>
    /// <param name="output">Progress and the embedder used.</param>
    /// <param name="train">Fits the trainer with the run's progress display.</param>
    /// <param name="method">How the run is described in its summary lines.</param>
    /// <param name="chosenTemplate">The record of the chosen template, and of the embedder, for train_config.json.</param>
    /// <param name="error">Where an interruption is said.</param>
    /// <param name="cancellationToken">Ctrl+C: cancels an embedding request in flight.</param>
    public static PaftTransformer Train(PaftTrainersCatalog trainers, PaftTrainerOptions options, TrainCommandConfig settings, PromptPool pool,
        TaskDefinition task, TextWriter output, TrainMethod train, out string method, out TrainChosenTemplate chosenTemplate,
        TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<TaskExample> validation = TrainCommandInputs.Rows(task, settings.Validation!, null, "--validation");
        var zopo = new ZopoOptions { Budget = settings.ZopoBudget!.Value, Seed = options.Seed };
        // Made before the base model is loaded, so a missing key variable costs no checkpoint load.
        using EmbeddingModelTemplateEmbedder? embedder = CreateEmbedder(settings);
        if (embedder is not null)
            embedder.RequestCancellation = cancellationToken;
        string embedderName = embedder?.Name ?? TrainChosenTemplate.BaseModelHiddenStates;
        output.WriteLine(embedder is null
            ? "ZOPO: the templates are embedded by the base model's hidden states."
            : $"ZOPO: the templates are embedded by {embedder.Name} (at most {embedder.BatchSize} a request).");
        output.WriteLine($"ZOPO: searching {pool.Count} templates with the base model on {validation.Count} validation rows " +
            $"(at most {Math.Min(zopo.Budget, pool.Count)} evaluated)...");

        PaftTransformer model;
        try
        {
            model = train("ZOPO SFT", 1, o => trainers.ZopoFineTuning(new ZopoTrainerOptions
            {
                Trainer = o,
                SelectionData = TrainCommandInputs.ToDataView(validation, task),
                Search = zopo,
                Embedder = embedder,
            }));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error?.WriteLine("Interrupted while --zopo searched the templates (an embedding request in flight is cancelled); nothing was trained.");
            throw;
        }
        catch (EmbeddingModelException e)
        {
            // The message names the model and the template and carries no key (the embedder redacts it).
            throw new CommandInputException($"--embedding-endpoint: {e.Message} Nothing was trained.", e);
        }
        ZopoResult result = model.TrainingInfo!.Selection!.Zopo!;
        if (embedder is not null)
            output.WriteLine($"ZOPO: {pool.Count} templates embedded by {embedder.Name} in {embedder.RequestCount} request(s).");

        method = string.Create(CultureInfo.InvariantCulture,
            $"ZOPO SFT on template '{result.Best.Id}' ({result.Trace.Count} of {pool.Count} templates evaluated, best validation accuracy {100 * result.BestAccuracy:F1}%)");
        PromptTemplate template = model.InferenceTemplate;
        chosenTemplate = new TrainChosenTemplate(template.Id, template.Text, TrainChosenTemplate.FromPool, Embedder: embedderName);
        return model;
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
