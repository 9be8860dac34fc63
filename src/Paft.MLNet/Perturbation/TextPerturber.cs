using System.Text;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Perturbation;

/// <summary>
/// Adds seeded character noise to input text — typos (adjacent swaps, deletions, insertions, case flips)
/// and extra or missing whitespace and punctuation — as BATprompt (Shi et al., 2024) does to test
/// whether a prompt still works on imperfect inputs. Each character is edited with probability
/// <see cref="TextPerturbationOptions.Rate"/> by one kind drawn among the enabled kinds that apply to it.
/// </summary>
public sealed class TextPerturber
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyz";
    private const string StrayPunctuation = ".,;:!?'";

    private readonly TextPerturbationOptions _options;
    private readonly TextPerturbationKinds[] _wordKinds;
    private readonly bool _whitespace;
    private readonly bool _punctuation;

    /// <summary>Creates a perturber.</summary>
    /// <param name="options">Rate and kinds; null uses the defaults.</param>
    public TextPerturber(TextPerturbationOptions? options = null)
    {
        _options = options ?? new TextPerturbationOptions();
        _options.Validate();
        _wordKinds = new[] { TextPerturbationKinds.AdjacentSwap, TextPerturbationKinds.Deletion, TextPerturbationKinds.Insertion, TextPerturbationKinds.CaseFlip }
            .Where(k => _options.Kinds.HasFlag(k))
            .ToArray();
        _whitespace = _options.Kinds.HasFlag(TextPerturbationKinds.Whitespace);
        _punctuation = _options.Kinds.HasFlag(TextPerturbationKinds.Punctuation);
    }

    /// <summary>The text with noise; the same seed gives the same result.</summary>
    /// <param name="text">The input.</param>
    /// <param name="seed">Seed of the noise.</param>
    public string Perturb(string text, int seed) => Perturb(text, new Random(seed), out _);

    /// <summary>
    /// Every field of every row with noise (labels and sources unchanged), drawing from one seeded
    /// sequence in row order and, within a row, in field-name order.
    /// </summary>
    /// <param name="rows">The rows.</param>
    /// <param name="seed">Seed of the noise.</param>
    public IReadOnlyList<TaskExample> Perturb(IReadOnlyList<TaskExample> rows, int seed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var random = new Random(seed);
        return rows.Select(row => row with
        {
            Fields = row.Fields.OrderBy(f => f.Key, StringComparer.Ordinal)
                .ToDictionary(f => f.Key, f => Perturb(f.Value, random, out _), StringComparer.Ordinal),
        }).ToArray();
    }

    /// <summary>The text with noise drawn from <paramref name="random"/>; <paramref name="edits"/> counts the edits made.</summary>
    internal string Perturb(string text, Random random, out int edits)
    {
        ArgumentNullException.ThrowIfNull(text);
        edits = 0;
        var output = new StringBuilder(text.Length + 8);
        var applicable = new List<TextPerturbationKinds>(4);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            applicable.Clear();
            if (char.IsLetterOrDigit(c))
            {
                foreach (TextPerturbationKinds kind in _wordKinds)
                    if ((kind != TextPerturbationKinds.CaseFlip || char.IsLetter(c) && char.ToUpperInvariant(c) != char.ToLowerInvariant(c))
                        && (kind != TextPerturbationKinds.AdjacentSwap || i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]) && text[i + 1] != c))
                        applicable.Add(kind);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (_whitespace)
                    applicable.Add(TextPerturbationKinds.Whitespace);
            }
            else if (char.IsPunctuation(c) && _punctuation)
            {
                applicable.Add(TextPerturbationKinds.Punctuation);
            }

            // Draw the coin for every character, so the noise at one place does not depend on the kinds elsewhere.
            bool edit = random.NextDouble() < _options.Rate;
            if (!edit || applicable.Count == 0)
            {
                output.Append(c);
                continue;
            }
            edits++;
            switch (applicable[random.Next(applicable.Count)])
            {
                case TextPerturbationKinds.AdjacentSwap:
                    output.Append(text[i + 1]).Append(c);
                    i++;
                    break;
                case TextPerturbationKinds.Deletion:
                    break;
                case TextPerturbationKinds.Insertion:
                    output.Append(c).Append(Letters[random.Next(Letters.Length)]);
                    break;
                case TextPerturbationKinds.CaseFlip:
                    output.Append(char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
                    break;
                case TextPerturbationKinds.Whitespace:
                    // Missing or doubled whitespace.
                    if (random.Next(2) == 1)
                        output.Append(c).Append(c);
                    break;
                case TextPerturbationKinds.Punctuation:
                    // Missing punctuation, or a stray mark after it.
                    if (random.Next(2) == 1)
                        output.Append(c).Append(StrayPunctuation[random.Next(StrayPunctuation.Length)]);
                    break;
            }
        }
        return output.ToString();
    }
}
