using System.ClientModel;
using System.Globalization;
using Paft.Cli.Terminal;
using Paft.MLNet;
using Paft.MLNet.Connectors;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>paft train --batprompt</c>: the BATprompt selection, offline or with the <c>--endpoint</c> LLM writing improved
/// templates in rounds (and, with <c>--batprompt-rewrite</c>, rewording the validation inputs), printing each round's outcome.
/// </summary>
internal static class TrainCommandBatprompt
{
    /// <summary>
    /// Trains SFT on the template the BATprompt trainer selects in its <c>Fit</c> among <paramref name="pool"/> (and the
    /// LLM's, with an <c>--endpoint</c> in <paramref name="settings"/>); the rounds go to <paramref name="output"/>,
    /// and why they stopped early also to <paramref name="error"/>.
    /// </summary>
    /// <param name="trainers">The catalog that builds the trainer.</param>
    /// <param name="options">The trainer's options; its templates are the pool's.</param>
    /// <param name="settings">The validated run settings (validation file, LLM, rounds, rewrite).</param>
    /// <param name="pool">The --prompts pool.</param>
    /// <param name="task">The task.</param>
    /// <param name="output">Progress and each round's outcome.</param>
    /// <param name="error">Warnings.</param>
    /// <param name="train">Fits the trainer with the run's progress display.</param>
    /// <param name="method">How the run is described in its summary lines.</param>
    /// <param name="chosenTemplate">The record of the chosen template for train_config.json.</param>
    /// <param name="cancellationToken">Ctrl+C: cancels an LLM request in flight.</param>
    public static PaftTransformer Train(PaftTrainersCatalog trainers, PaftTrainerOptions options, TrainCommandConfig settings, PromptPool pool,
        TaskDefinition task, TextWriter output, TextWriter error, TrainMethod train, out string method, out TrainChosenTemplate chosenTemplate,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<TaskExample> validation = TrainCommandInputs.Rows(task, settings.Validation!, null, "--validation");
        // The client is made before the base model is loaded, so a missing key variable costs no checkpoint load.
        using LlmClient? llm = CreateClient(settings);
        // Whatever the LLM stack puts in an exception message is printed; the key must not be.
        Func<string, string> redact = llm is null ? text => text : llm.Redact;
        var robust = new BatpromptOptions
        {
            Seed = options.Seed,
            Rounds = settings.BatpromptRounds ?? new BatpromptOptions().Rounds,
            ChatRewrite = settings.RewriteKind(),
            RoundProgress = new ReportTo<BatpromptRound>(round => WriteRound(round, output, error, redact)),
        };
        output.WriteLine($"BATprompt: scoring the base model on {validation.Count} validation rows and {robust.PerturbedCopies} perturbed " +
            $"copies of them{(robust.ChatRewrite is { } kind ? $" (rewritten by the LLM: {settings.BatpromptRewrite})" : "")} with {pool.Count} templates...");
        if (llm is not null)
            output.WriteLine($"BATprompt: then up to {robust.Rounds} round(s) in which {llm.Name} writes {robust.CandidatesPerRound} improved template(s) each.");

        PaftTransformer model;
        try
        {
            using var chat = llm is null ? null : new CancellableChatClient(llm.ChatClient, cancellationToken);
            model = train("BATprompt SFT", 1, o => trainers.BatpromptFineTuning(new BatpromptTrainerOptions
            {
                Trainer = o,
                SelectionData = TrainCommandInputs.ToDataView(validation, task),
                Selection = robust,
                ChatClient = chat,
            }));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("Interrupted while --batprompt chose the template (an LLM request in flight is cancelled); nothing was trained.");
            throw;
        }
        catch (Exception e) when (llm is not null && e is HttpRequestException or ClientResultException or TimeoutException)
        {
            // Only the rewrites call the LLM before the rounds, and the rounds keep going without it; so this is a rewrite that failed.
            throw new CommandInputException(redact(
                $"--batprompt-rewrite: the LLM at --endpoint {llm.Endpoint} could not rewrite the validation inputs ({e.Message}); nothing was trained."), e);
        }

        BatpromptResult result = model.TrainingInfo!.Selection!.Batprompt!;
        BatpromptStep score = result.Score;
        int fromLlm = result.Trace.Count(s => s.Round > 0);
        string scored = fromLlm == 0 ? $"{result.Trace.Count} templates" : $"{result.Trace.Count} templates ({pool.Count} of --prompts, {fromLlm} by the LLM)";
        if (score.Round > 0)
        {
            method = string.Create(CultureInfo.InvariantCulture,
                $"BATprompt SFT on template '{result.Best.Id}', written by the LLM in round {score.Round} (least drop under input noise of {scored}: " +
                $"clean {100 * score.CleanAccuracy:F1}%, perturbed {100 * score.PerturbedAccuracy:F1}%)");
            // The template is in no pool file: show it, since the model is trained on it and answers with it.
            output.WriteLine($"BATprompt chose a template the LLM wrote (not in --prompts), saved with the model as '{result.Best.Id}':");
            foreach (string line in result.Best.Text.Split('\n'))
                output.WriteLine("  | " + line);
            chosenTemplate = new TrainChosenTemplate(result.Best.Id, result.Best.Text, TrainChosenTemplate.FromLlm, score.Round, llm!.Name);
        }
        else
        {
            method = string.Create(CultureInfo.InvariantCulture,
                $"BATprompt SFT on template '{result.Best.Id}' (least drop under input noise of {scored}: " +
                $"clean {100 * score.CleanAccuracy:F1}%, perturbed {100 * score.PerturbedAccuracy:F1}%)");
            chosenTemplate = new TrainChosenTemplate(result.Best.Id, result.Best.Text, TrainChosenTemplate.FromPool);
        }
        return model;
    }

    private static LlmClient? CreateClient(TrainCommandConfig settings)
    {
        if (settings.LlmSettings() is not { } llmSettings)
            return null;
        try
        {
            return LlmClientFactory.Create(llmSettings);
        }
        catch (InvalidOperationException e)
        {
            throw new CommandInputException($"--api-key-env: {e.Message}", e);
        }
    }

    /// <summary>One line a round (what was scored and rejected, the best so far), a line per rejection, and why the rounds stopped.</summary>
    private static void WriteRound(BatpromptRound round, TextWriter output, TextWriter error, Func<string, string> redact)
    {
        BatpromptStep best = round.Best;
        string bestText = string.Create(CultureInfo.InvariantCulture,
            $"best so far '{best.TemplateId}' ({(best.Round == 0 ? "from --prompts" : $"LLM, round {best.Round}")}): clean {100 * best.CleanAccuracy:F1}%, perturbed {100 * best.PerturbedAccuracy:F1}%");
        if (round.StopReason is { } reason)
        {
            string message = redact(reason);
            output.WriteLine($"BATprompt round {round.Round}: stopped, {message} Keeping {bestText}.");
            error.WriteLine($"warning: the LLM rounds of --batprompt stopped: {message}");
            return;
        }
        output.WriteLine($"BATprompt round {round.Round}: {round.Scored.Count} LLM template(s) scored, {round.Rejected.Count} rejected; {bestText}.");
        foreach (string rejected in round.Rejected)
            output.WriteLine("  rejected " + redact(rejected));
    }

    /// <summary>Calls back on the selecting thread (<see cref="Progress{T}"/> would post to the thread pool and reorder lines).</summary>
    private sealed class ReportTo<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
