namespace Paft.MLNet.Tasks;

/// <summary>
/// A multiple-choice task: the named fields a prompt template fills in, which of them are the answer
/// options (in label order), and the answer labels the model is trained to produce ("A", "B", ...).
/// </summary>
public sealed class TaskDefinition
{
    /// <summary>Creates a task; <paramref name="optionFields"/> must be a subset of <paramref name="fields"/>.</summary>
    /// <param name="name">A short name, e.g. <c>hellaswag</c>.</param>
    /// <param name="fields">Every placeholder a template of this task must contain, in their natural order.</param>
    /// <param name="optionFields">The fields holding the answer options, in label order.</param>
    /// <param name="answerLabels">One label per option; defaults to A, B, C, ...</param>
    public TaskDefinition(string name, IReadOnlyList<string> fields, IReadOnlyList<string> optionFields,
        IReadOnlyList<string>? answerLabels = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (fields.Count == 0)
            throw new ArgumentException($"Task '{name}' needs at least one field.", nameof(fields));
        if (fields.Distinct(StringComparer.Ordinal).Count() != fields.Count)
            throw new ArgumentException($"Task '{name}' names a field twice.", nameof(fields));
        if (optionFields.Count < 2)
            throw new ArgumentException($"Task '{name}' needs at least two option fields.", nameof(optionFields));
        foreach (string option in optionFields)
            if (!fields.Contains(option))
                throw new ArgumentException($"Task '{name}': option field '{option}' is not one of its fields.", nameof(optionFields));

        answerLabels ??= Enumerable.Range(0, optionFields.Count).Select(i => ((char)('A' + i)).ToString()).ToArray();
        if (answerLabels.Count != optionFields.Count)
            throw new ArgumentException(
                $"Task '{name}' has {optionFields.Count} options but {answerLabels.Count} answer labels.", nameof(answerLabels));

        Name = name;
        Fields = fields.ToArray();
        OptionFields = optionFields.ToArray();
        AnswerLabels = answerLabels.ToArray();
        ContextFields = Fields.Where(f => !OptionFields.Contains(f)).ToArray();
    }

    /// <summary>The task's short name.</summary>
    public string Name { get; }

    /// <summary>All placeholders a template must contain.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>The fields that hold the options, in label order.</summary>
    public IReadOnlyList<string> OptionFields { get; }

    /// <summary>The fields that are not options (context, question, ...).</summary>
    public IReadOnlyList<string> ContextFields { get; }

    /// <summary>The answer label of each option, e.g. A, B, C, D.</summary>
    public IReadOnlyList<string> AnswerLabels { get; }

    /// <summary>Number of options.</summary>
    public int OptionCount => OptionFields.Count;

    /// <summary>HellaSwag: a context and four endings.</summary>
    public static TaskDefinition HellaSwag { get; } = new("hellaswag", ["ctx", "A", "B", "C", "D"], ["A", "B", "C", "D"]);

    /// <summary>PIQA: a goal and two solutions.</summary>
    public static TaskDefinition Piqa { get; } = new("piqa", ["goal", "sol1", "sol2"], ["sol1", "sol2"]);

    /// <summary>WinoGrande: a sentence cut at the blank and two fillers (the PAFT authors' field names).</summary>
    public static TaskDefinition WinoGrande { get; } =
        new("winogrande", ["prompt", "only_option1", "only_option2"], ["only_option1", "only_option2"]);

    /// <summary>RACE: an article, a question and four options.</summary>
    public static TaskDefinition Race { get; } = new("race", ["article", "question", "A", "B", "C", "D"], ["A", "B", "C", "D"]);

    /// <summary>The built-in tasks.</summary>
    public static IReadOnlyList<TaskDefinition> BuiltIn { get; } = [HellaSwag, Piqa, WinoGrande, Race];

    /// <summary>Finds a built-in task by name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No built-in task has that name; the message lists those that exist.</exception>
    public static TaskDefinition FromName(string name) =>
        BuiltIn.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException(
            $"Unknown task '{name}'. Built-in tasks: {string.Join(", ", BuiltIn.Select(t => t.Name))}.", nameof(name));

    /// <inheritdoc />
    public override string ToString() => Name;
}
