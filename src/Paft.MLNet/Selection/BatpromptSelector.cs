using Microsoft.Extensions.AI;
using Paft.MLNet.Perturbation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Selection;

/// <summary>
/// Picks a template that keeps working on imperfect inputs, after BATprompt (Shi et al., 2024,
/// "Robustness-aware automatic prompt optimization"). The validation rows are perturbed — character
/// noise and, with a chat client, synonym or paraphrase rewrites — and every template of the pool is
/// scored on the clean and on the perturbed rows. Offline, the best by <see cref="BatpromptOptions.Criterion"/>
/// is chosen (by default the template whose accuracy drops least). With a chat client, rounds follow:
/// the model sees the current best template and perturbed examples it got wrong, and writes improved
/// templates, which are parsed, validated for the task, deduplicated and scored the same way; the best
/// template over pool and rounds wins. Used as the "BATprompt" baseline.
/// </summary>
public sealed class BatpromptSelector
{
    private const double Tolerance = 1e-9;

    private readonly Func<PromptTemplate, TaskDefinition, IReadOnlyList<TaskExample>, IReadOnlyList<int>> _predict;
    private readonly BatpromptOptions _options;
    private readonly IChatClient? _chatClient;

    /// <summary>Creates a selector.</summary>
    /// <param name="scorer">Answers the rendered prompts (the base model).</param>
    /// <param name="options">Noise, criterion and rounds; null uses the defaults.</param>
    /// <param name="chatClient">Writes improved templates and rewrites inputs; null selects from the pool only.</param>
    /// <exception cref="ArgumentException"><see cref="BatpromptOptions.ChatRewrite"/> is set without a chat client.</exception>
    public BatpromptSelector(IMultipleChoiceScorer scorer, BatpromptOptions? options = null, IChatClient? chatClient = null)
        : this(Predictor(scorer), options, chatClient)
    {
    }

    /// <summary>
    /// Creates a selector over a caller's own predictions: <paramref name="predict"/> answers a template over
    /// rows, which is how a scorer whose candidates depend on the row (not only on the rendered prompt) plugs
    /// in. Perturbed rows keep their <see cref="TaskExample.Source"/>, so a predictor can find the clean row.
    /// </summary>
    /// <param name="predict">The chosen option (0-based, or -1) of each row under the template, in row order.</param>
    /// <param name="options">Noise, criterion and rounds; null uses the defaults.</param>
    /// <param name="chatClient">Writes improved templates and rewrites inputs; null selects from the pool only.</param>
    /// <exception cref="ArgumentException"><see cref="BatpromptOptions.ChatRewrite"/> is set without a chat client.</exception>
    public BatpromptSelector(Func<PromptTemplate, IReadOnlyList<TaskExample>, IReadOnlyList<int>> predict,
        BatpromptOptions? options = null, IChatClient? chatClient = null)
        : this(Wrap(predict), options, chatClient)
    {
    }

    private BatpromptSelector(Func<PromptTemplate, TaskDefinition, IReadOnlyList<TaskExample>, IReadOnlyList<int>> predict,
        BatpromptOptions? options, IChatClient? chatClient)
    {
        _predict = predict;
        _options = options ?? new BatpromptOptions();
        _options.Validate();
        if (_options.ChatRewrite is not null && chatClient is null)
            throw new ArgumentException($"{nameof(BatpromptOptions.ChatRewrite)} needs a chat client.", nameof(chatClient));
        _chatClient = chatClient;
    }

    private static Func<PromptTemplate, TaskDefinition, IReadOnlyList<TaskExample>, IReadOnlyList<int>> Predictor(IMultipleChoiceScorer scorer)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        return (template, task, rows) => TemplateAccuracy.Predict(template, task, rows, scorer);
    }

    private static Func<PromptTemplate, TaskDefinition, IReadOnlyList<TaskExample>, IReadOnlyList<int>> Wrap(
        Func<PromptTemplate, IReadOnlyList<TaskExample>, IReadOnlyList<int>> predict)
    {
        ArgumentNullException.ThrowIfNull(predict);
        return (template, _, rows) => predict(template, rows);
    }

    /// <summary>Selects the most robust template.</summary>
    /// <param name="pool">The candidate templates; all must be valid for the task.</param>
    /// <param name="task">Their task.</param>
    /// <param name="validation">Labelled rows of the task.</param>
    /// <param name="cancellationToken">Cancels the chat requests.</param>
    /// <exception cref="ArgumentException">The pool is empty, a template is invalid for the task, or a row has no valid label.</exception>
    public async Task<BatpromptResult> SelectAsync(PromptPool pool, TaskDefinition task, IReadOnlyList<TaskExample> validation,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(validation);
        if (pool.Count == 0)
            throw new ArgumentException("The pool is empty: there is no template to select.", nameof(pool));
        foreach (PromptPoolEntry entry in pool)
            if (entry.Template.Validate(task) is { Count: > 0 } problems)
                throw new ArgumentException($"Template '{entry.Id}' is not valid for task '{task.Name}': {problems[0].Message}", nameof(pool));
        TemplateAccuracy.CheckRows(task, validation, nameof(validation));

        IReadOnlyList<TaskExample> perturbed = await PerturbAsync(validation, task, cancellationToken).ConfigureAwait(false);
        var scored = new List<Scored>();
        foreach (PromptPoolEntry entry in pool)
            scored.Add(Score(entry.Template, 0, task, validation, perturbed));

        var rejected = new List<string>();
        if (_chatClient is not null)
            await ImproveAsync(_chatClient, scored, rejected, task, validation, perturbed, cancellationToken).ConfigureAwait(false);

        Scored best = Best(scored);
        return new BatpromptResult(best.Template, best.Step, scored.Select(s => s.Step).ToArray(), rejected);
    }

    private async Task ImproveAsync(IChatClient client, List<Scored> scored, List<string> rejected, TaskDefinition task,
        IReadOnlyList<TaskExample> validation, IReadOnlyList<TaskExample> perturbed, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(scored.Select(s => TextShingles.Normalize(s.Template.DisplayText)), StringComparer.Ordinal);
        for (int round = 1; round <= _options.Rounds; round++)
        {
            Scored best = Best(scored);
            var failures = Enumerable.Range(0, perturbed.Count)
                .Where(r => best.PerturbedPredictions[r] != perturbed[r].Label)
                .Take(_options.FailuresShown)
                .Select(r => (perturbed[r], best.PerturbedPredictions[r]))
                .ToArray();
            ChatMessage[] messages =
            [
                new(ChatRole.System, ImprovementRequest.SystemMessage),
                new(ChatRole.User, ImprovementRequest.Build(task, best.Template, best.Step, failures, _options.CandidatesPerRound)),
            ];

            int scoredBefore = scored.Count, rejectedBefore = rejected.Count;
            ChatResponse response;
            try
            {
                response = await client.GetResponseAsync(messages, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Keep what earlier rounds found; say why the loop stopped.
                string reason = $"round {round}: the chat request failed ({e.GetType().Name}: {e.Message}); no further rounds.";
                rejected.Add(reason);
                _options.RoundProgress?.Report(new BatpromptRound(round, [], [], best.Step, reason));
                return;
            }

            IReadOnlyList<string> candidates = CandidateReply.Parse(response.Text);
            if (candidates.Count == 0)
                rejected.Add($"round {round}: the reply held no template.");
            for (int k = 0; k < candidates.Count; k++)
            {
                string id = $"batprompt-r{round}-{k + 1}";
                if (!PromptTemplate.TryParse(candidates[k], id, PromptTextEscaping.None, out PromptTemplate? template, out PromptTemplateException? error))
                {
                    rejected.Add($"{id}: {error.Message}");
                    continue;
                }
                if (template.Validate(task) is { Count: > 0 } problems)
                {
                    rejected.Add($"{id}: {string.Join(" ", problems.Select(p => p.Message))}");
                    continue;
                }
                if (!seen.Add(TextShingles.Normalize(template.DisplayText)))
                {
                    rejected.Add($"{id}: duplicate of a template already scored.");
                    continue;
                }
                scored.Add(Score(template, round, task, validation, perturbed));
            }
            _options.RoundProgress?.Report(new BatpromptRound(round, scored.Skip(scoredBefore).Select(s => s.Step).ToArray(),
                rejected.Skip(rejectedBefore).ToArray(), Best(scored).Step, null));
        }
    }

    /// <summary>The perturbed copies of the rows, concatenated: optional chat rewrites of the context fields, then character noise.</summary>
    private async Task<IReadOnlyList<TaskExample>> PerturbAsync(IReadOnlyList<TaskExample> rows, TaskDefinition task, CancellationToken cancellationToken)
    {
        var perturber = new TextPerturber(_options.Perturbation);
        var all = new List<TaskExample>(rows.Count * _options.PerturbedCopies);
        for (int copy = 0; copy < _options.PerturbedCopies; copy++)
        {
            IReadOnlyList<TaskExample> source = rows;
            if (_options.ChatRewrite is ChatRewriteKind kind && _chatClient is not null)
                source = await RewriteAsync(rows, task, new ChatTextRewriter(_chatClient), kind, cancellationToken).ConfigureAwait(false);
            all.AddRange(perturber.Perturb(source, unchecked(_options.Seed * 7919 + copy)));
        }
        return all;
    }

    private static async Task<IReadOnlyList<TaskExample>> RewriteAsync(IReadOnlyList<TaskExample> rows, TaskDefinition task,
        ChatTextRewriter rewriter, ChatRewriteKind kind, CancellationToken cancellationToken)
    {
        var result = new List<TaskExample>(rows.Count);
        foreach (TaskExample row in rows)
        {
            var fields = new Dictionary<string, string>(row.Fields, StringComparer.Ordinal);
            // Options stay as they are: rewording an option could change which one is right.
            foreach (string field in task.ContextFields)
                if (fields.TryGetValue(field, out string? value))
                    fields[field] = await rewriter.RewriteAsync(value, kind, cancellationToken).ConfigureAwait(false);
            result.Add(row with { Fields = fields });
        }
        return result;
    }

    private Scored Score(PromptTemplate template, int round, TaskDefinition task, IReadOnlyList<TaskExample> clean, IReadOnlyList<TaskExample> perturbed)
    {
        double cleanAccuracy = Accuracy(Predict(template, task, clean), clean);
        IReadOnlyList<int> perturbedPredictions = Predict(template, task, perturbed);
        var step = new BatpromptStep(template.Id, round, cleanAccuracy, Accuracy(perturbedPredictions, perturbed));
        return new Scored(template, step, perturbedPredictions);
    }

    private IReadOnlyList<int> Predict(PromptTemplate template, TaskDefinition task, IReadOnlyList<TaskExample> rows)
    {
        IReadOnlyList<int> predicted = _predict(template, task, rows);
        return predicted.Count == rows.Count ? predicted
            : throw new InvalidOperationException($"The predictor gave {predicted.Count} answers for {rows.Count} rows under template '{template.Id}'.");
    }

    private static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<TaskExample> rows)
    {
        int correct = 0;
        for (int r = 0; r < rows.Count; r++)
            if (predicted[r] == rows[r].Label)
                correct++;
        return (double)correct / rows.Count;
    }

    /// <summary>The best by the criterion; the earliest scored on a tie.</summary>
    private Scored Best(List<Scored> scored)
    {
        Scored best = scored[0];
        foreach (Scored candidate in scored.Skip(1))
            if (IsBetter(candidate.Step, best.Step))
                best = candidate;
        return best;
    }

    private bool IsBetter(BatpromptStep a, BatpromptStep b)
    {
        // Smaller drop is better; a rise under noise counts as no drop, not as a virtue: otherwise a template that
        // is wrong on clean inputs (and so can only gain from noise) would beat every template that works.
        int byDrop = Compare(Math.Max(0, b.Drop), Math.Max(0, a.Drop));
        int byClean = Compare(a.CleanAccuracy, b.CleanAccuracy);
        if (_options.Criterion == BatpromptCriterion.PerturbedAccuracy)
        {
            int byPerturbed = Compare(a.PerturbedAccuracy, b.PerturbedAccuracy);
            return byPerturbed > 0 || byPerturbed == 0 && (byDrop > 0 || byDrop == 0 && byClean > 0);
        }
        return byDrop > 0 || byDrop == 0 && byClean > 0;
    }

    private static int Compare(double x, double y) => Math.Abs(x - y) <= Tolerance ? 0 : x.CompareTo(y);

    private sealed record Scored(PromptTemplate Template, BatpromptStep Step, IReadOnlyList<int> PerturbedPredictions);
}
