using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Paft.MLNet.Evaluation;

/// <summary>
/// Finds the answer letter in a model's generated text, as OpenCompass's
/// <c>first_option_postprocess</c> does (the PAFT authors scored generated answers with it).
/// </summary>
/// <remarks>
/// <para>An ordered cascade of patterns, most specific first: Chinese answer phrases ("答案是 B",
/// "选 C", ...), an option closing the text after a separator ("Answer: B."), "答案是 (B)"-style tokens,
/// English phrases ("The answer is B", "The correct answer is option C"), an option opening the text
/// or standing alone ("B. ...", " B "), the rest of a "1." line, and, as a last resort ("cushion"),
/// "B:" and then any option letter anywhere (which is what finds "(B)").</para>
/// <para>As in the original, the first pattern that matches wins, and from its whole match the answer
/// is the first option <em>in option order</em> that occurs in it (not the first in the text); if the
/// match contains no option letter the cascade goes on with the next pattern. Matching is
/// case-sensitive: "the answer is b" finds no "b" unless "b" is an option.</para>
/// </remarks>
public static class AnswerExtractor
{
    // The option character class is spliced in where {0} stands. Order matters: see the remarks.
    private static readonly string[] Patterns =
    [
        // Chinese answer phrases: "the answer is X", "the answer should be X", "choose X", ...
        @"答案是?\s?([{0}])",
        @"答案是?\s?：([{0}])",
        @"答案是?\s?:([{0}])",
        @"答案应该?是\s?([{0}])",
        @"答案应该?选\s?([{0}])",
        @"答案为\s?([{0}])",
        @"答案选\s?([{0}])",
        @"选择?\s?([{0}])",
        @"只有选?项?\s?([{0}])\s?是?对",
        @"只有选?项?\s?([{0}])\s?是?错",
        @"只有选?项?\s?([{0}])\s?不?正确",
        @"只有选?项?\s?([{0}])\s?错误",
        @"说法不?对选?项?的?是\s?([{0}])",
        @"说法不?正确选?项?的?是\s?([{0}])",
        @"说法错误选?项?的?是\s?([{0}])",
        @"([{0}])\s?是正确的",
        @"([{0}])\s?是正确答案",
        @"选项\s?([{0}])\s?正确",
        @"所以答\s?([{0}])",
        // A numbered line ending in an option, e.g. "1. B".
        @"1.\s?([{0}])[.。$]?$",
        @"所以\s?([{0}][.。$]?$)",
        @"所有\s?([{0}][.。$]?$)",
        // An option closing the text after a separator, e.g. "... : B." or "..., C".
        @"[\s，：:,]([{0}])[。，,\.]?$",
        @"[\s，,：:][故即]([{0}])[。\.]?$",
        @"[\s，,：:]因此([{0}])[。\.]?$",
        @"[是为。]\s?([{0}])[。\.]?$",
        @"因此\s?([{0}])[。\.]?$",
        @"显然\s?([{0}])[。\.]?$",
        // "The answer is <token>" where the token may carry the option (e.g. "(B)").
        @"答案是\s?(\S+)(?:。|$)",
        @"答案应该是\s?(\S+)(?:。|$)",
        @"答案为\s?(\S+)(?:。|$)",
        // English answer phrases.
        @"[Tt]he answer is ([{0}])",
        @"[Tt]he answer is option ([{0}])",
        @"[Tt]he correct answer is ([{0}])",
        @"[Tt]he correct answer is option ([{0}])",
        @"[Tt]he answer to the question is ([{0}])",
        // An option opening the text, or standing alone between spaces or before punctuation.
        @"^选项\s?([{0}])",
        @"^([{0}])\s?选?项",
        @"(\s|^)[{0}][\s。，,：:\.$]",
        @"(\s|^)[{0}](\s|$)",
        // The rest of a "1." line.
        @"1.\s?(.*?)$",
    ];

    private static readonly string[] CushionPatterns =
    [
        @"([{0}]):",
        @"[{0}]",
    ];

    private static readonly ConcurrentDictionary<(string Options, bool Cushion), Regex[]> Cascades = new();

    /// <summary>
    /// The first option letter found in <paramref name="text"/>, or null when none is found.
    /// </summary>
    /// <param name="text">The generated text.</param>
    /// <param name="options">The option letters, one character each, e.g. "ABCD".</param>
    /// <param name="cushion">Whether to fall back to "X:" and then to any option letter anywhere
    /// (OpenCompass's default, true).</param>
    public static string? FirstOption(string text, string options = "ABCD", bool cushion = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(options);
        foreach (Regex pattern in Cascades.GetOrAdd((options, cushion), key => Build(key.Options, key.Cushion)))
        {
            Match match = pattern.Match(text);
            if (!match.Success)
                continue;
            foreach (char option in options)
                if (match.Value.Contains(option))
                    return option.ToString();
        }
        return null;
    }

    /// <summary>
    /// Extracts the answer of one generation for a task whose answer labels are single characters,
    /// and records how long the generation was.
    /// </summary>
    /// <param name="text">The generated text.</param>
    /// <param name="answerLabels">The task's answer labels in option order, e.g. A, B, C, D.</param>
    /// <param name="generatedTokenCount">The number of generated tokens, when the caller knows it.</param>
    /// <param name="cushion">See <see cref="FirstOption"/>.</param>
    /// <exception cref="ArgumentException">An answer label is not a single character.</exception>
    public static ExtractedAnswer Extract(string text, IReadOnlyList<string> answerLabels, int? generatedTokenCount = null, bool cushion = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(answerLabels);
        if (answerLabels.Any(l => l.Length != 1))
            throw new ArgumentException(
                $"Answer extraction needs single-character answer labels; got {string.Join(", ", answerLabels)}.", nameof(answerLabels));
        string? letter = FirstOption(text, string.Concat(answerLabels), cushion);
        int index = letter is null ? -1 : answerLabels.ToList().IndexOf(letter);
        return new ExtractedAnswer(letter, index, text.Length, generatedTokenCount);
    }

    private static Regex[] Build(string options, bool cushion)
    {
        // Each option goes inside a character class; escape the few characters special there.
        string optionClass = string.Concat(options.Select(c => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString()));
        IEnumerable<string> patterns = cushion ? Patterns.Concat(CushionPatterns) : Patterns;
        return patterns
            .Select(p => new Regex(p.Replace("{0}", optionClass, StringComparison.Ordinal), RegexOptions.CultureInvariant))
            .ToArray();
    }
}
