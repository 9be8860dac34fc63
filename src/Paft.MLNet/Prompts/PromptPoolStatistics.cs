using System.Text.RegularExpressions;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Prompts;

/// <summary>A template that looks wrong, with the reason.</summary>
/// <param name="Id">The template's id.</param>
/// <param name="Reason">What looks wrong.</param>
public sealed record SuspiciousTemplate(string Id, string Reason);

/// <summary>
/// What a pool looks like: size, lengths (characters of the template with escapes resolved and
/// placeholders shown as <c>{name}</c>), placeholder orders, duplicates and templates that look wrong.
/// </summary>
public sealed partial class PromptPoolStatistics
{
    private PromptPoolStatistics() { }

    /// <summary>Number of templates.</summary>
    public int Count { get; private init; }

    /// <summary>Shortest template, in characters (0 for an empty pool).</summary>
    public int MinLength { get; private init; }

    /// <summary>Median length in characters (the mean of the two middle ones for an even count).</summary>
    public double MedianLength { get; private init; }

    /// <summary>Mean length in characters.</summary>
    public double MeanLength { get; private init; }

    /// <summary>Longest template, in characters.</summary>
    public int MaxLength { get; private init; }

    /// <summary>How many templates use each placeholder order (every occurrence, comma separated, e.g. <c>ctx,A,B,C,D</c>), most common first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> PlaceholderOrders { get; private init; } = [];

    /// <summary>Groups of templates identical after lower-casing and collapsing whitespace (ids; groups of two or more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> ExactDuplicateGroups { get; private init; } = [];

    /// <summary>Groups of near-duplicate templates (ids; groups of two or more), including the exact ones.</summary>
    public IReadOnlyList<IReadOnlyList<string>> NearDuplicateClusters { get; private init; } = [];

    /// <summary>The similarity threshold <see cref="NearDuplicateClusters"/> used.</summary>
    public double NearDuplicateThreshold { get; private init; }

    /// <summary>Templates that look wrong: bracketed instructions a generator left, literal braces, repeated or missing placeholders, options out of order.</summary>
    public IReadOnlyList<SuspiciousTemplate> Suspicious { get; private init; } = [];

    /// <summary>Share of templates ending with an answer cue such as <c>Answer:</c> (0 for an empty pool).</summary>
    public double AnswerCueFraction { get; private init; }

    /// <summary>How many templates end with each answer cue, most common first.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> AnswerCueCounts { get; private init; } = [];

    // "[describe how it involves ...]", "[topic]": a slot in brackets that a generator meant to be filled
    // in. Lower-case start or several words; "[MASK]" or "[A]" are left alone.
    [GeneratedRegex(@"\[(?:[a-z][^\[\]\n]*|[A-Za-z][^\[\]\n]*\s[^\[\]\n]*)\]")]
    private static partial Regex BracketedInstruction();

    internal static PromptPoolStatistics Compute(PromptPool pool, TaskDefinition? task, double threshold)
    {
        string[] display = pool.Select(e => e.Template.DisplayText).ToArray();
        int[] lengths = display.Select(d => d.Length).Order().ToArray();

        var exact = pool.GroupBy(e => TextShingles.Normalize(e.Template.DisplayText))
            .Where(g => g.Count() > 1)
            .Select(g => (IReadOnlyList<string>)g.Select(e => e.Id).ToArray())
            .ToArray();

        string?[] cues = display.Select(AnswerCues.EndingOf).ToArray();

        return new PromptPoolStatistics
        {
            Count = pool.Count,
            MinLength = lengths.Length == 0 ? 0 : lengths[0],
            MaxLength = lengths.Length == 0 ? 0 : lengths[^1],
            MeanLength = lengths.Length == 0 ? 0 : lengths.Average(),
            MedianLength = lengths.Length == 0 ? 0
                : lengths.Length % 2 == 1 ? lengths[lengths.Length / 2]
                : (lengths[lengths.Length / 2 - 1] + lengths[lengths.Length / 2]) / 2.0,
            PlaceholderOrders = pool.GroupBy(e => string.Join(',', e.Template.PlaceholderOrder))
                .Select(g => KeyValuePair.Create(g.Key, g.Count()))
                .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray(),
            ExactDuplicateGroups = exact,
            NearDuplicateClusters = pool.NearDuplicateClusters(threshold),
            NearDuplicateThreshold = threshold,
            Suspicious = pool.SelectMany(e => FindSuspicious(e.Template, task)).ToArray(),
            AnswerCueFraction = pool.Count == 0 ? 0 : cues.Count(c => c is not null) / (double)pool.Count,
            AnswerCueCounts = cues.OfType<string>().GroupBy(c => c)
                .Select(g => KeyValuePair.Create(g.Key, g.Count()))
                .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray(),
        };
    }

    private static IEnumerable<SuspiciousTemplate> FindSuspicious(PromptTemplate template, TaskDefinition? task)
    {
        foreach (Match match in BracketedInstruction().Matches(template.DisplayText))
            yield return new SuspiciousTemplate(template.Id, $"bracketed text left by a generator: \"{match.Value}\"");

        if (template.PlaceholderOrder.Count == 0)
            yield return new SuspiciousTemplate(template.Id, "no placeholders");

        foreach (TemplateSegment segment in template.Segments)
            if (!segment.IsPlaceholder && segment.Value.AsSpan().IndexOfAny('{', '}') >= 0)
                yield return new SuspiciousTemplate(template.Id,
                    $"a literal brace at position {segment.Position} will appear in the prompt (written '{{{{' or '}}}}')");

        // "Answer:." — a cue followed by stray punctuation: the model is asked to continue after the period.
        string display = template.DisplayText;
        if (AnswerCues.EndingOf(display) is null && AnswerCues.EndingOf(display.TrimEnd().TrimEnd('.', ',', ';', '\'', '"')) is { } cue)
            yield return new SuspiciousTemplate(template.Id, $"stray text after the answer cue \"{cue}\": ends with \"{display.TrimEnd()[^Math.Min(display.TrimEnd().Length, cue.Length + 2)..]}\"");

        foreach (var repeated in template.PlaceholderOrder.GroupBy(p => p).Where(g => g.Count() > 1))
            yield return new SuspiciousTemplate(template.Id, $"placeholder {{{repeated.Key}}} appears {repeated.Count()} times");

        if (task is null)
            yield break;
        foreach (TemplateProblem problem in template.Validate(task))
            yield return new SuspiciousTemplate(template.Id, problem.Message);

        string[] optionOrder = template.Placeholders.Where(task.OptionFields.Contains).ToArray();
        if (optionOrder.Length == task.OptionCount && !optionOrder.SequenceEqual(task.OptionFields))
            yield return new SuspiciousTemplate(template.Id,
                $"options appear in the order {string.Join(",", optionOrder)}, not {string.Join(",", task.OptionFields)} (labels may not match)");
    }
}
