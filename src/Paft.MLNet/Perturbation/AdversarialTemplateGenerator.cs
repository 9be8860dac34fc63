using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Perturbation;

/// <summary>
/// Makes an adversarial test pool from a test pool: each template gets seeded variants combining a few
/// edits — typos in the instruction words, options switched between one per line and inline, option
/// labels restyled consistently, a distractor sentence, the instruction moved after the content. Only
/// literal text changes, so every variant still validates for the task. Evaluated as its own set, the
/// pool shows how robustness holds up beyond the wording changes a test pool already has.
/// </summary>
public sealed class AdversarialTemplateGenerator
{
    /// <summary>The edits in the order they are applied: structure first, then text.</summary>
    private static readonly AdversarialPerturbations[] ApplyOrder =
    [
        AdversarialPerturbations.LabelStyle,
        AdversarialPerturbations.OptionLayout,
        AdversarialPerturbations.InstructionMove,
        AdversarialPerturbations.Distractor,
        AdversarialPerturbations.Typos,
    ];

    private const int AttemptsPerVariant = 8;

    private readonly AdversarialTemplateOptions _options;

    /// <summary>Creates a generator.</summary>
    /// <param name="options">Edits, counts and seed; null uses the defaults.</param>
    public AdversarialTemplateGenerator(AdversarialTemplateOptions? options = null)
    {
        _options = options ?? new AdversarialTemplateOptions();
        _options.Validate();
    }

    /// <summary>
    /// The adversarial pool: for each template in pool order, its variants with ids
    /// <c>&lt;id&gt;~adv1</c>, <c>&lt;id&gt;~adv2</c>, ...; metadata keeps the original's and adds
    /// <c>adversarial_of</c> (the original id) and <c>perturbations</c> (the edits, comma-separated).
    /// A template no edit changes (a bare placeholder list) gets no variant.
    /// </summary>
    /// <param name="testPool">The test templates.</param>
    /// <param name="task">Their task; every template must validate for it.</param>
    /// <exception cref="ArgumentException">A template does not validate for the task (the message names it and why).</exception>
    public PromptPool Generate(PromptPool testPool, TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(testPool);
        ArgumentNullException.ThrowIfNull(task);
        var entries = new List<PromptPoolEntry>();
        foreach (PromptPoolEntry entry in testPool)
        {
            IReadOnlyList<TemplateProblem> problems = entry.Template.Validate(task);
            if (problems.Count > 0)
                throw new ArgumentException($"Test template '{entry.Id}' is not valid for task '{task.Name}': {problems[0].Message}", nameof(testPool));

            var seen = new HashSet<string>(StringComparer.Ordinal) { entry.Template.Text };
            var random = new Random(StableSeed(_options.Seed, entry.Id));
            for (int v = 1; v <= _options.VariantsPerTemplate; v++)
            {
                for (int attempt = 0; attempt < AttemptsPerVariant; attempt++)
                {
                    (string text, IReadOnlyList<AdversarialPerturbations> applied) = MakeVariant(entry.Template, task, random);
                    if (applied.Count == 0 || !seen.Add(text))
                        continue;
                    entries.Add(new PromptPoolEntry(Checked(text, $"{entry.Id}~adv{v}", entry.Template, task), Metadata(entry, applied)));
                    break;
                }
            }
        }
        return new PromptPool(entries);
    }

    private (string Text, IReadOnlyList<AdversarialPerturbations> Applied) MakeVariant(PromptTemplate template, TaskDefinition task, Random random)
    {
        AdversarialPerturbations[] enabled = ApplyOrder.Where(e => _options.Perturbations.HasFlag(e)).ToArray();
        PromptPool.Shuffle(enabled, random);

        // Choose edits that apply to this template (tried on a copy), then apply them in structural order.
        var chosen = new HashSet<AdversarialPerturbations>();
        TemplateDraft original = TemplateDraft.From(template);
        foreach (AdversarialPerturbations edit in enabled)
        {
            if (chosen.Count == _options.EditsPerVariant)
                break;
            if (AdversarialEdits.Apply(edit, original.Clone(), task, new Random(0), _options.TypoRate))
                chosen.Add(edit);
        }

        TemplateDraft draft = original.Clone();
        var applied = new List<AdversarialPerturbations>();
        foreach (AdversarialPerturbations edit in ApplyOrder)
            if (chosen.Contains(edit) && AdversarialEdits.Apply(edit, draft, task, random, _options.TypoRate))
                applied.Add(edit);
        return (draft.ToSource(), applied);
    }

    /// <summary>Parses and validates a variant; a failure here is a bug in an edit, reported with both templates.</summary>
    private static PromptTemplate Checked(string text, string id, PromptTemplate original, TaskDefinition task)
    {
        if (!PromptTemplate.TryParse(text, id, original.Escaping, out PromptTemplate? variant, out PromptTemplateException? error))
            throw new InvalidOperationException($"Adversarial variant '{id}' of template '{original.Id}' does not parse: {error.Message}");
        IReadOnlyList<TemplateProblem> problems = variant.Validate(task);
        if (problems.Count > 0)
            throw new InvalidOperationException($"Adversarial variant '{id}' of template '{original.Id}' is not valid: {problems[0].Message}");
        return variant;
    }

    private static Dictionary<string, string> Metadata(PromptPoolEntry original, IReadOnlyList<AdversarialPerturbations> applied)
    {
        var metadata = new Dictionary<string, string>(original.Metadata)
        {
            ["adversarial_of"] = original.Id,
            ["perturbations"] = string.Join(",", applied.Select(Name)),
        };
        return metadata;
    }

    private static string Name(AdversarialPerturbations edit) => edit switch
    {
        AdversarialPerturbations.Typos => "typos",
        AdversarialPerturbations.OptionLayout => "option-layout",
        AdversarialPerturbations.LabelStyle => "label-style",
        AdversarialPerturbations.Distractor => "distractor",
        _ => "instruction-move",
    };

    /// <summary>A seed from the option seed and the template id (FNV-1a), the same in every process.</summary>
    internal static int StableSeed(int seed, string id)
    {
        uint hash = 2166136261u ^ (uint)seed;
        foreach (char c in id)
            hash = (hash ^ c) * 16777619u;
        return (int)(hash & 0x7FFFFFFF);
    }
}
