using Paft.MLNet.Tasks;

namespace Paft.MLNet.Prompts;

/// <summary>How one template did on the validation sample.</summary>
/// <param name="Id">The template's id.</param>
/// <param name="Accuracy">Share of validation rows the scorer answered correctly with this template.</param>
/// <param name="Kept">Whether the filter keeps the template.</param>
public sealed record TemplateQuality(string Id, double Accuracy, bool Kept);

/// <summary>
/// Keeps the templates a model can work with: each candidate is rendered over a labelled validation
/// sample, answered by an <see cref="IMultipleChoiceScorer"/>, and kept when its accuracy reaches
/// <see cref="MinAccuracy"/> and it ranks within <see cref="TopFraction"/> of the pool. The PAFT
/// authors filtered their generated pools this way with a base model before training.
/// </summary>
public sealed class PromptQualityFilter
{
    private readonly IMultipleChoiceScorer _scorer;

    /// <summary>Creates a filter around a scorer.</summary>
    /// <param name="scorer">Answers the rendered prompts.</param>
    public PromptQualityFilter(IMultipleChoiceScorer scorer)
    {
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
    }

    /// <summary>Lowest accuracy a kept template may have (inclusive); 0 keeps all by accuracy. Default 0.</summary>
    public double MinAccuracy { get; init; }

    /// <summary>Share of the pool kept, best first (ties broken by pool order); 1 keeps all by rank. Default 1.</summary>
    public double TopFraction { get; init; } = 1.0;

    /// <summary>Scores every template of <paramref name="pool"/> on <paramref name="validation"/>.</summary>
    /// <param name="pool">The candidate templates.</param>
    /// <param name="task">Their task.</param>
    /// <param name="validation">Labelled rows of the task.</param>
    /// <returns>One result per template, in pool order.</returns>
    /// <exception cref="ArgumentException">No validation rows, a row without a label, or a setting out of range.</exception>
    public IReadOnlyList<TemplateQuality> Score(PromptPool pool, TaskDefinition task, IReadOnlyList<TaskExample> validation)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(validation);
        if (!(MinAccuracy >= 0 && MinAccuracy <= 1))
            throw new ArgumentOutOfRangeException(nameof(MinAccuracy), MinAccuracy, "MinAccuracy must be in [0, 1].");
        if (!(TopFraction > 0 && TopFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopFraction), TopFraction, "TopFraction must be in (0, 1].");
        if (validation.Count == 0)
            throw new ArgumentException("The quality filter needs at least one validation row.", nameof(validation));
        for (int r = 0; r < validation.Count; r++)
            if (validation[r].Label < 0 || validation[r].Label >= task.OptionCount)
                throw new ArgumentException(
                    $"Validation row {r} ({validation[r].Source}) has label {validation[r].Label}; task '{task.Name}' needs 0..{task.OptionCount - 1}.",
                    nameof(validation));

        var accuracies = new double[pool.Count];
        for (int t = 0; t < pool.Count; t++)
        {
            PromptTemplate template = pool[t].Template;
            string[] prompts = validation.Select(row => template.Render(row.Fields)).ToArray();
            IReadOnlyList<int> predicted = _scorer.Predict(prompts, task);
            if (predicted.Count != prompts.Length)
                throw new InvalidOperationException(
                    $"The scorer returned {predicted.Count} predictions for {prompts.Length} prompts of template '{template.Id}'.");
            int correct = 0;
            for (int r = 0; r < prompts.Length; r++)
                if (predicted[r] == validation[r].Label)
                    correct++;
            accuracies[t] = (double)correct / prompts.Length;
        }

        // Rank by accuracy, best first; OrderBy is stable, so ties keep pool order.
        int keepByRank = (int)Math.Ceiling(TopFraction * pool.Count - 1e-9);
        var withinTop = new HashSet<int>(Enumerable.Range(0, pool.Count).OrderByDescending(t => accuracies[t]).Take(keepByRank));
        return Enumerable.Range(0, pool.Count)
            .Select(t => new TemplateQuality(pool[t].Id, accuracies[t], accuracies[t] >= MinAccuracy && withinTop.Contains(t)))
            .ToArray();
    }

    /// <summary>The templates of <paramref name="pool"/> that pass, in pool order.</summary>
    /// <param name="pool">The candidate templates.</param>
    /// <param name="task">Their task.</param>
    /// <param name="validation">Labelled rows of the task.</param>
    public PromptPool Filter(PromptPool pool, TaskDefinition task, IReadOnlyList<TaskExample> validation)
    {
        IReadOnlyList<TemplateQuality> scores = Score(pool, task, validation);
        return new PromptPool(pool.Where((_, t) => scores[t].Kept));
    }
}
