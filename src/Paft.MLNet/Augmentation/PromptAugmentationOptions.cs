using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Augmentation;

/// <summary>Options of the prompt-augmentation transform (<see cref="PromptAugmentationEstimator"/>).</summary>
public sealed class PromptAugmentationOptions
{
    /// <summary>The task whose fields the templates fill in. Required.</summary>
    public TaskDefinition Task { get; set; } = null!;

    /// <summary>The training pool the templates are drawn from. Required; every template must validate for <see cref="Task"/>.</summary>
    public IReadOnlyList<PromptTemplate> Templates { get; set; } = [];

    /// <summary>
    /// Rows per draw: how many consecutive rows (in the order the transform sees them) share one template.
    /// With 1 every row gets its own draw. Default 4. This counts rows, not optimizer steps: the paper's K
    /// (a template held for K steps, <see cref="PaftTrainerOptions.RedrawEverySteps"/>) is
    /// RowsPerDraw = K × batch size × gradient-accumulation steps over rows already in training order, which is
    /// how <see cref="PaftTrainer"/> uses this transform after its per-epoch shuffle.
    /// </summary>
    public int RowsPerDraw { get; set; } = 4;

    /// <summary>Seed of the draws; the same seed, epoch and row always give the same template. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>The epoch whose draw the transform applies; a new epoch is a new draw. Default 0.</summary>
    public int Epoch { get; set; }

    /// <summary>Uniform (the paper, default) or weighted draws.</summary>
    public TemplateSampling Sampling { get; set; } = TemplateSampling.Uniform;

    /// <summary>One non-negative weight per template, used when <see cref="Sampling"/> is <see cref="TemplateSampling.Weighted"/>.</summary>
    public IReadOnlyList<double>? Weights { get; set; }

    /// <summary>Name of the output column with the rendered prompt text. Default <c>Prompt</c>.</summary>
    public string PromptColumnName { get; set; } = "Prompt";

    /// <summary>Name of the output column with the id of the template used. Default <c>PromptId</c>.</summary>
    public string PromptIdColumnName { get; set; } = "PromptId";

    /// <summary>
    /// Input column of each task field, when it is not named like the field (e.g. <c>ctx</c> ← <c>Context</c>).
    /// Fields not listed are read from the column of the same name.
    /// </summary>
    public IReadOnlyDictionary<string, string>? FieldColumns { get; set; }

    internal string ColumnOf(string field) =>
        FieldColumns is not null && FieldColumns.TryGetValue(field, out string? column) ? column : field;

    internal PromptAugmentationOptions Clone() => (PromptAugmentationOptions)MemberwiseClone();

    /// <summary>Checks the options; errors name the template or setting at fault.</summary>
    internal void Validate()
    {
        if (Task is null)
            throw new ArgumentException("PromptAugmentationOptions.Task is required.");
        if (Templates is null || Templates.Count == 0)
            throw new ArgumentException("PromptAugmentationOptions.Templates is empty: the transform needs at least one template.");
        if (RowsPerDraw < 1)
            throw new ArgumentOutOfRangeException(nameof(RowsPerDraw), RowsPerDraw, "RowsPerDraw (rows that share one template draw) must be at least 1.");
        if (Epoch < 0)
            throw new ArgumentOutOfRangeException(nameof(Epoch), Epoch, "The epoch must be non-negative.");
        if (string.IsNullOrWhiteSpace(PromptColumnName) || string.IsNullOrWhiteSpace(PromptIdColumnName)
            || PromptColumnName == PromptIdColumnName)
            throw new ArgumentException("The prompt and prompt-id output columns need two different, non-empty names.");
        if (Sampling == TemplateSampling.Weighted && Weights is null)
            throw new ArgumentException("Weighted sampling needs PromptAugmentationOptions.Weights (one per template).");

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (PromptTemplate template in Templates)
        {
            if (!ids.Add(template.Id))
                throw new ArgumentException($"Template id '{template.Id}' appears twice in the training pool.");
            IReadOnlyList<TemplateProblem> problems = template.Validate(Task);
            if (problems.Count > 0)
                throw new ArgumentException(
                    $"Template '{template.Id}' is not valid for task '{Task.Name}': {string.Join("; ", problems)}");
        }
    }
}
