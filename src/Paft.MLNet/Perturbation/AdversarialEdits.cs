using System.Text;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Perturbation;

/// <summary>
/// The edits of adversarial test templates. Each changes literal text only and returns false, leaving
/// the draft untouched, when the template has nothing it applies to.
/// </summary>
internal static class AdversarialEdits
{
    /// <summary>Irrelevant sentences, written for this project.</summary>
    public static readonly string[] Distractors =
    [
        "Note: this item is part of a practice set.",
        "Fun fact: octopuses have three hearts.",
        "Remember to take a short break every hour.",
        "The weather report predicts light rain this afternoon.",
        "This question was reviewed by two editors.",
        "Some readers find items like this easy; others do not.",
        "Unrelated: the library closes early on Fridays.",
        "Tip: coffee tastes best within a month of roasting.",
    ];

    private const string Letters = "abcdefghijklmnopqrstuvwxyz";

    public static bool Apply(AdversarialPerturbations edit, TemplateDraft draft, TaskDefinition task, Random random, double typoRate) => edit switch
    {
        AdversarialPerturbations.LabelStyle => RestyleLabels(draft, task, random),
        AdversarialPerturbations.OptionLayout => ToggleOptionLayout(draft, task),
        AdversarialPerturbations.InstructionMove => MoveInstruction(draft),
        AdversarialPerturbations.Distractor => InsertDistractor(draft, task, random),
        AdversarialPerturbations.Typos => AddTypos(draft, random, typoRate),
        _ => throw new ArgumentOutOfRangeException(nameof(edit), edit, "Not a single edit."),
    };

    /// <summary>Every option label in another style, the same for all options.</summary>
    public static bool RestyleLabels(TemplateDraft draft, TaskDefinition task, Random random)
    {
        OptionLabelLayout? layout = OptionLabelLayout.Find(draft, task);
        if (layout is null)
            return false;
        int style = (layout.Style + 1 + random.Next(OptionLabelLayout.Styles.Length - 1)) % OptionLabelLayout.Styles.Length;
        for (int o = 0; o < task.OptionCount; o++)
        {
            var match = layout.Matches[o];
            draft.Parts[layout.PlaceholderIndices[o] - 1].Value =
                match.Groups["before"].Value + OptionLabelLayout.Label(OptionLabelLayout.Styles[style], task.AnswerLabels[o]) + match.Groups["after"].Value;
        }
        return true;
    }

    /// <summary>One option per line becomes all options on one line, and the reverse.</summary>
    public static bool ToggleOptionLayout(TemplateDraft draft, TaskDefinition task)
    {
        OptionLabelLayout? layout = OptionLabelLayout.Find(draft, task);
        if (layout is null)
            return false;
        // Between two options only whitespace may precede the label; anything else is not a plain list.
        for (int o = 1; o < task.OptionCount; o++)
            if (layout.PlaceholderIndices[o] - layout.PlaceholderIndices[o - 1] != 2 || !string.IsNullOrWhiteSpace(layout.Matches[o].Groups["before"].Value))
                return false;
        bool inline = Enumerable.Range(1, task.OptionCount - 1).All(o => !layout.Matches[o].Groups["before"].Value.Contains('\n'));
        string separator = inline ? "\n" : "  ";
        for (int o = 1; o < task.OptionCount; o++)
        {
            var match = layout.Matches[o];
            draft.Parts[layout.PlaceholderIndices[o] - 1].Value = separator + match.Groups["label"].Value + match.Groups["after"].Value;
        }
        if (inline)
        {
            // The first option starts its own line too.
            TemplateDraft.Part first = draft.Parts[layout.PlaceholderIndices[0] - 1];
            string before = layout.Matches[0].Groups["before"].Value;
            if (before.Length > 0 && !before.EndsWith('\n'))
                first.Value = before.TrimEnd(' ', '\t') + "\n" + layout.Matches[0].Groups["label"].Value + layout.Matches[0].Groups["after"].Value;
        }
        return true;
    }

    /// <summary>
    /// A leading instruction paragraph moves after the content, just before the answer cue; failing that,
    /// a trailing instruction paragraph (after the last placeholder, before the cue) moves to the front.
    /// </summary>
    public static bool MoveInstruction(TemplateDraft draft)
    {
        if (draft.Parts.Count < 2)
            return false;
        TemplateDraft.Part head = draft.Parts[0];
        int paragraph = head.IsPlaceholder ? -1 : head.Value.IndexOf("\n\n", StringComparison.Ordinal);
        if (paragraph > 0 && head.Value[..paragraph].Trim().Length > 0)
        {
            string instruction = head.Value[..paragraph].Trim();
            head.Value = head.Value[(paragraph + 2)..].TrimStart('\n');
            TemplateDraft.Part tail = draft.TrailingLiteral();
            (string body, string? cue) = SplitCue(tail.Value);
            tail.Value = cue is null
                ? body + "\n\n" + instruction
                : body + "\n\n" + instruction + "\n" + cue;
            return true;
        }

        if (draft.Parts[^1].IsPlaceholder)
            return false;
        TemplateDraft.Part last = draft.Parts[^1];
        int start = last.Value.IndexOf("\n\n", StringComparison.Ordinal);
        if (start < 0)
            return false;
        (string rest, string? finalCue) = SplitCue(last.Value[(start + 2)..]);
        string moved = rest.Trim();
        if (moved.Length == 0)
            return false;
        string kept = last.Value[..start];
        last.Value = finalCue is null ? kept : kept + "\n" + finalCue;
        TemplateDraft.Part lead = draft.LeadingLiteral();
        lead.Value = moved + "\n\n" + lead.Value;
        return true;
    }

    /// <summary>An irrelevant sentence at the start of a line, never between two options.</summary>
    public static bool InsertDistractor(TemplateDraft draft, TaskDefinition task, Random random)
    {
        string sentence = Distractors[random.Next(Distractors.Length)];
        var between = new HashSet<int>(task.OptionFields.Skip(1).Select(f => draft.IndexOfPlaceholder(f) - 1));
        var places = new List<(int Part, int Offset)>();
        if (!draft.Parts[0].IsPlaceholder)
            places.Add((0, 0));
        for (int p = 0; p < draft.Parts.Count; p++)
        {
            if (draft.Parts[p].IsPlaceholder || between.Contains(p))
                continue;
            string text = draft.Parts[p].Value;
            for (int i = 0; i < text.Length; i++)
                if (text[i] == '\n' && i + 1 < text.Length)
                    places.Add((p, i + 1));
        }
        if (places.Count == 0)
        {
            TemplateDraft.Part lead = draft.LeadingLiteral();
            lead.Value = sentence + "\n" + lead.Value;
            return true;
        }
        (int part, int offset) = places[random.Next(places.Count)];
        string value = draft.Parts[part].Value;
        draft.Parts[part].Value = value[..offset] + sentence + "\n" + value[offset..];
        return true;
    }

    /// <summary>
    /// One typo (adjacent swap, deletion, insertion or case flip inside the word) in each word of three
    /// letters or more with probability <paramref name="rate"/>, at least one in all. The final answer cue is left intact.
    /// </summary>
    public static bool AddTypos(TemplateDraft draft, Random random, double rate)
    {
        var words = new List<(int Part, int Start, int Length)>();
        for (int p = 0; p < draft.Parts.Count; p++)
        {
            if (draft.Parts[p].IsPlaceholder)
                continue;
            string text = draft.Parts[p].Value;
            int limit = p == draft.Parts.Count - 1 ? ProtectedCueStart(text) : text.Length;
            for (int i = 0; i < limit;)
            {
                if (!char.IsLetter(text[i])) { i++; continue; }
                int j = i;
                while (j < limit && char.IsLetter(text[j]))
                    j++;
                if (j - i >= 3)
                    words.Add((p, i, j - i));
                i = j;
            }
        }
        if (words.Count == 0)
            return false;

        var chosen = words.Where(_ => random.NextDouble() < rate).ToList();
        if (chosen.Count == 0)
            chosen.Add(words[random.Next(words.Count)]);
        // Right to left, so earlier offsets stay valid when a typo changes a word's length.
        foreach (var (part, start, length) in chosen.OrderByDescending(w => w.Part).ThenByDescending(w => w.Start))
        {
            string text = draft.Parts[part].Value;
            draft.Parts[part].Value = text[..start] + Typo(text.Substring(start, length), random) + text[(start + length)..];
        }
        return true;
    }

    private static string Typo(string word, Random random)
    {
        var builder = new StringBuilder(word);
        int at = random.Next(word.Length - 1);
        switch (random.Next(4))
        {
            case 0 when word[at] != word[at + 1]:
                (builder[at], builder[at + 1]) = (builder[at + 1], builder[at]);
                break;
            case 1:
                builder.Remove(at + 1, 1);
                break;
            case 2:
                builder.Insert(at + 1, Letters[random.Next(Letters.Length)]);
                break;
            default:
                builder[at + 1] = char.IsUpper(word[at + 1]) ? char.ToLowerInvariant(word[at + 1]) : char.ToUpperInvariant(word[at + 1]);
                break;
        }
        return builder.ToString();
    }

    /// <summary>Where the answer cue on the last line of the trailing literal starts, or the text's length when there is none.</summary>
    private static int ProtectedCueStart(string text)
    {
        (string body, string? cue) = SplitCue(text);
        return cue is null ? text.Length : body.Length;
    }

    /// <summary>Splits a trailing literal into what precedes its last line and that line, when the last line is an answer cue.</summary>
    private static (string Body, string? Cue) SplitCue(string text)
    {
        string trimmed = text.TrimEnd();
        int newline = trimmed.LastIndexOf('\n');
        string lastLine = trimmed[(newline + 1)..];
        if (AnswerCues.EndingOf(lastLine) is null)
            return (text, null);
        return newline < 0 ? ("", text.TrimStart()) : (text[..newline], text[(newline + 1)..]);
    }
}
