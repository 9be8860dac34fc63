using System.Text.RegularExpressions;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Perturbation;

/// <summary>
/// Where a template labels its options: the literal right before each option placeholder ends with the
/// option's answer label in one style (<c>A.</c>, <c>(A)</c>, <c>A)</c> or <c>A:</c>), the same style for
/// every option. Found only when the template is that regular; otherwise the label and layout edits do not apply.
/// </summary>
internal sealed class OptionLabelLayout
{
    /// <summary>The label styles; <c>L</c> stands for the label.</summary>
    public static readonly string[] Styles = ["L.", "(L)", "L)", "L:"];

    private OptionLabelLayout(int style, int[] placeholderIndices, Match[] matches)
    {
        Style = style;
        PlaceholderIndices = placeholderIndices;
        Matches = matches;
    }

    /// <summary>Index into <see cref="Styles"/>.</summary>
    public int Style { get; }

    /// <summary>The part index of each option's placeholder, in option order.</summary>
    public int[] PlaceholderIndices { get; }

    /// <summary>For each option, the match of the literal before it: groups <c>before</c>, <c>label</c> and <c>after</c>.</summary>
    public Match[] Matches { get; }

    public static OptionLabelLayout? Find(TemplateDraft draft, TaskDefinition task)
    {
        int style = -1;
        var indices = new int[task.OptionCount];
        var matches = new Match[task.OptionCount];
        for (int o = 0; o < task.OptionCount; o++)
        {
            int index = draft.IndexOfPlaceholder(task.OptionFields[o]);
            if (index <= 0 || draft.Parts[index - 1].IsPlaceholder)
                return null;
            if (o > 0 && index <= indices[o - 1])
                return null;   // options out of order: the layout is not a plain list
            string literal = draft.Parts[index - 1].Value;
            int found = -1;
            Match? match = null;
            for (int s = 0; s < Styles.Length && found < 0; s++)
            {
                match = PatternFor(Styles[s], task.AnswerLabels[o]).Match(literal);
                if (match.Success)
                    found = s;
            }
            if (found < 0 || (style >= 0 && found != style))
                return null;
            style = found;
            indices[o] = index;
            matches[o] = match!;
        }
        return new OptionLabelLayout(style, indices, matches);
    }

    /// <summary>The label in <paramref name="style"/>.</summary>
    public static string Label(string style, string label) => style.Replace("L", label, StringComparison.Ordinal);

    private static Regex PatternFor(string style, string label) =>
        new(@"^(?<before>(?:[\s\S]*\s)?)(?<label>" + Regex.Escape(Label(style, label)) + @")(?<after>[ \t]*)$", RegexOptions.CultureInvariant);
}
