using System.Text;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Prompts;

/// <summary>
/// Makes prompt templates for a task without a language model, by composing a small grammar: an
/// instruction phrasing, the context fields (labelled or not), the options (one per line or inline,
/// labelled <c>A.</c>, <c>(A)</c>, <c>A)</c> or <c>A:</c>, with or without a header), the instruction
/// before or after the content, an optional answer-format hint and an answer cue such as <c>Answer:</c>.
/// Built-in tasks get their own phrasings; any other task gets generic ones. Every template uses each
/// field of the task exactly once, options in label order, so every one validates against the task.
/// </summary>
public sealed class OfflineTemplateGenerator
{
    private readonly TaskDefinition _task;
    private readonly string[] _instructions;
    private readonly string[][] _contextLabels;
    private readonly int[] _radices;

    /// <summary>Creates a generator for <paramref name="task"/>.</summary>
    /// <param name="task">The task; a built-in one gets task-specific phrasings.</param>
    public OfflineTemplateGenerator(TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(task);
        _task = task;
        OfflinePhrasebook.TaskPhrases? phrases = OfflinePhrasebook.ForTask(task.Name);
        bool ownPhrases = phrases is not null && phrases.ContextLabels.All(set => set.Length == task.ContextFields.Count);
        _instructions = ownPhrases ? phrases!.Instructions : OfflinePhrasebook.GenericInstructions;
        _contextLabels = ownPhrases ? phrases!.ContextLabels : [task.ContextFields.Select(HumanLabel).ToArray()];

        // One digit per grammar choice; a template is a number in this mixed radix.
        _radices =
        [
            _instructions.Length,
            1 + _contextLabels.Length,              // unlabelled, or one of the label sets
            OfflinePhrasebook.LabelStyles.Length,
            2,                                      // options one per line or inline
            OfflinePhrasebook.OptionHeaders.Length,
            2,                                      // instruction first or last
            OfflinePhrasebook.AnswerHints.Length,
            OfflinePhrasebook.Cues.Length,
        ];
        Capacity = _radices.Aggregate(1, (product, radix) => product * radix);
    }

    /// <summary>How many distinct templates the grammar can make for this task.</summary>
    public int Capacity { get; }

    /// <summary>
    /// Makes <paramref name="count"/> distinct templates. The same seed gives the same list; another seed
    /// a different selection and order. Ids are <c>offline-&lt;task&gt;-&lt;n&gt;</c> where n numbers the
    /// template in the grammar, so a template has the same id whichever seed drew it.
    /// </summary>
    /// <param name="count">How many; at most <see cref="Capacity"/>.</param>
    /// <param name="seed">Seed of the draw.</param>
    public IReadOnlyList<PromptTemplate> Generate(int count, int seed)
    {
        if (count < 0 || count > Capacity)
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"The offline grammar makes at most {Capacity} distinct templates for task '{_task.Name}'.");
        int[] order = Enumerable.Range(0, Capacity).ToArray();
        PromptPool.Shuffle(order, new Random(seed));

        var templates = new List<PromptTemplate>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (int index in order)
        {
            if (templates.Count == count)
                break;
            string text = Compose(index);
            // Distinct after the pool's own normalisation, so exact dedupe keeps every generated template.
            if (seen.Add(TextShingles.Normalize(text)))
                templates.Add(PromptTemplate.Parse(text, $"offline-{_task.Name}-{index:D5}"));
        }
        return templates;
    }

    /// <summary>The same as <see cref="Generate"/>, as a pool whose entries say where they came from.</summary>
    /// <param name="count">How many; at most <see cref="Capacity"/>.</param>
    /// <param name="seed">Seed of the draw.</param>
    public PromptPool GeneratePool(int count, int seed)
    {
        var metadata = new Dictionary<string, string>
        {
            ["source"] = "offline",
            ["generator"] = "offline-grammar",
            ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return new PromptPool(Generate(count, seed).Select(t => new PromptPoolEntry(t, metadata)));
    }

    /// <summary>The template numbered <paramref name="index"/> in the grammar.</summary>
    internal string Compose(int index)
    {
        int[] digit = new int[_radices.Length];
        for (int d = 0; d < _radices.Length; d++)
        {
            digit[d] = index % _radices[d];
            index /= _radices[d];
        }
        string instruction = Escape(_instructions[digit[0]]);
        int contextStyle = digit[1];
        string labelStyle = OfflinePhrasebook.LabelStyles[digit[2]];
        bool inline = digit[3] == 1;
        string header = OfflinePhrasebook.OptionHeaders[digit[4]];
        bool instructionLast = digit[5] == 1;
        string hint = Escape(OfflinePhrasebook.AnswerHints[digit[6]]).Replace("{{labels}}", Escape(JoinLabels()));
        if (!_task.AnswerLabels.All(l => l.Length == 1 && char.IsLetter(l[0])))
            hint = hint.Replace("the letter of", "the label of", StringComparison.Ordinal);
        string cue = OfflinePhrasebook.Cues[digit[7]];

        var context = new StringBuilder();
        for (int f = 0; f < _task.ContextFields.Count; f++)
        {
            if (f > 0)
                context.Append('\n');
            if (contextStyle > 0)
                context.Append(Escape(_contextLabels[contextStyle - 1][f])).Append(' ');
            context.Append('{').Append(_task.ContextFields[f]).Append('}');
        }

        var options = new StringBuilder();
        if (header.Length > 0)
            options.Append(header).Append(inline ? " " : "\n");
        for (int o = 0; o < _task.OptionCount; o++)
        {
            if (o > 0)
                options.Append(inline ? "; " : "\n");
            options.Append(Escape(labelStyle.Replace("L", _task.AnswerLabels[o], StringComparison.Ordinal)))
                .Append(" {").Append(_task.OptionFields[o]).Append('}');
        }

        var text = new StringBuilder();
        if (!instructionLast)
            text.Append(instruction).Append("\n\n");
        text.Append(context).Append('\n').Append(options);
        if (instructionLast)
            text.Append("\n\n").Append(instruction);
        if (hint.Length > 0)
            text.Append(instructionLast ? " " : "\n").Append(hint);
        text.Append('\n').Append(cue);
        return text.ToString();
    }

    private string JoinLabels()
    {
        IReadOnlyList<string> labels = _task.AnswerLabels;
        return labels.Count == 2
            ? $"{labels[0]} or {labels[1]}"
            : string.Join(", ", labels.Take(labels.Count - 1)) + " or " + labels[^1];
    }

    /// <summary>A field name as a label: <c>question_text</c> becomes <c>Question text:</c>.</summary>
    private static string HumanLabel(string field)
    {
        string words = field.Replace('_', ' ').Trim();
        return words.Length == 0 ? "Input:" : char.ToUpperInvariant(words[0]) + words[1..] + ":";
    }

    /// <summary>Literal text in template syntax: braces doubled.</summary>
    private static string Escape(string literal) => literal.Replace("{", "{{").Replace("}", "}}");
}
