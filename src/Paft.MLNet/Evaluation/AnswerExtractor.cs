using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Paft.MLNet.Evaluation;

/// <summary>
/// Finds the answer letter in a model's generated text exactly as OpenCompass's <c>first_option_postprocess</c> does
/// at commit 98242ff1 (November 2024, release 0.3.6, unchanged through August 2026): the function the PAFT authors'
/// evaluation reads generated answers with. <see cref="Version"/> names it in evaluation files.
/// </summary>
/// <remarks>
/// <para>As upstream: the text is stripped of leading and trailing whitespace (Python's <c>str.strip</c>), then an
/// ordered cascade of about fifty patterns is searched (Chinese answer phrases, an option closing the text,
/// <c>ANSWER: X</c> in any case, English answer phrases followed by <c>X</c>, <c>(X)</c>, <c>**X**</c> or
/// <c>\boxed{X}</c>, an option opening the text, the rest of a "1." line) and, when the cushion is on, <c>X:</c> and
/// then any option letter anywhere. For the first pattern that matches, the answer is the first option <em>in option
/// order</em> contained in its first capture group — or in the whole match when that group is empty or did not take
/// part — and when there is none the cascade goes on. Matching is case-sensitive except in the <c>ANSWER:</c> pattern,
/// whose capture must still contain an option exactly: "answer: b" with options "ABCD" goes on down the cascade.</para>
/// <para>Some answers come out oddly, and that is the reference behaviour: "Based on the context, C is correct." gives
/// B (the "B" of "Based", found by the cushion, because the pattern for an option standing between spaces keeps only
/// the space before it).</para>
/// <para>The patterns are upstream's Python <c>re</c> patterns, translated so that .NET matches them as Python does
/// (whitespace includes U+001C–U+001F, <c>.</c> is one code point, case folding as Python's). A corpus of strings
/// whose expected letters come from running the upstream function checks every string, cushion on and off
/// (test/Paft.MLNet.Tests/Evaluation/OpenCompassCorpus). The earlier, January 2024 behaviour (commit 32f40a8f) is not
/// kept: see docs/concepts.md.</para>
/// </remarks>
public static class AnswerExtractor
{
    /// <summary>Names the extraction in evaluation files: <c>opencompass first_option_postprocess @ 98242ff1</c>.</summary>
    public const string Version = "opencompass first_option_postprocess @ 98242ff1";

    /// <summary>The full upstream commit the patterns are taken from.</summary>
    internal const string UpstreamCommit = "98242ff1d1387e941154a2b7af8ca88c7ebb8e34";

    // The translated cascade for each options string: the main patterns, then the cushion's.
    private static readonly ConcurrentDictionary<string, Regex[]> Cascades = new(StringComparer.Ordinal);

    /// <summary>
    /// The first option letter found in <paramref name="text"/>, or null when none is found (upstream returns '').
    /// </summary>
    /// <param name="text">The generated text.</param>
    /// <param name="options">The option letters, one character each, e.g. "ABCD": ASCII letters or digits, which upstream
    /// puts inside a regex character class as they are.</param>
    /// <param name="cushion">Whether to fall back to "X:" and then to any option letter anywhere (upstream's default,
    /// true).</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is empty or holds a character other than an ASCII
    /// letter or digit.</exception>
    public static string? FirstOption(string text, string options = "ABCD", bool cushion = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckOptions(options);
        Regex[] cascade = Cascades.GetOrAdd(options, Build);
        int count = cushion ? cascade.Length : OpenCompassOptionPatterns.Patterns.Count;
        string stripped = PythonWhitespace.Strip(text);
        for (int p = 0; p < count; p++)
        {
            Match match = cascade[p].Match(stripped);
            if (!match.Success)
                continue;
            Group first = match.Groups[1];
            string outputs = first.Success && first.Length > 0 ? first.Value : match.Value;
            foreach (char option in options)
                if (outputs.Contains(option))
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
    /// <exception cref="ArgumentException">An answer label is not a single ASCII letter or digit.</exception>
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

    private static void CheckOptions(string options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options);
        foreach (char c in options)
            if (!char.IsAsciiLetterOrDigit(c))
                throw new ArgumentException(
                    $"Option letters must be ASCII letters or digits (upstream splices them into a regex character class); got '{options}'.",
                    nameof(options));
    }

    private static Regex[] Build(string options) =>
        OpenCompassOptionPatterns.Patterns.Concat(OpenCompassOptionPatterns.CushionPatterns)
            .Select(p => PythonRegex.Translate(p.Replace(OpenCompassOptionPatterns.OptionsPlaceholder, options, StringComparison.Ordinal)))
            .ToArray();
}
