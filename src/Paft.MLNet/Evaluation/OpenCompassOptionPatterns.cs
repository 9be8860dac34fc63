namespace Paft.MLNet.Evaluation;

/// <summary>
/// The pattern cascade of OpenCompass's <c>first_option_postprocess</c> at commit
/// <see cref="AnswerExtractor.UpstreamCommit"/> (opencompass/utils/text_postprocessors.py; unchanged from November 2024
/// through August 2026), written as Python <c>re</c> patterns exactly as the function builds them, with
/// <c>{options}</c> where it splices in the option letters. <see cref="PythonRegex"/> translates them to .NET.
/// </summary>
internal static class OpenCompassOptionPatterns
{
    /// <summary>Where the option letters go, inside a character class.</summary>
    public const string OptionsPlaceholder = "{options}";

    /// <summary>The patterns tried in order; the first that matches and holds an option wins.</summary>
    public static readonly IReadOnlyList<string> Patterns =
    [
        @"答案是?\s*([{options}])",
        @"答案是?\s*：\s*([{options}])",
        @"答案是?\s*:\s*([{options}])",
        @"答案选项应?该?是\s*([{options}])",
        @"答案选项应?该?为\s*([{options}])",
        @"答案应该?是\s*([{options}])",
        @"答案应该?选\s*([{options}])",
        @"答案选项为?\s*：\s*([{options}])",
        @"答案选项为?\s+\(?\*?\*?([{options}])\*?\*?\)?",
        @"答案选项是?\s*:\s*([{options}])",
        @"答案为\s*([{options}])",
        @"答案选\s*([{options}])",
        @"选择?\s*([{options}])",
        // Upstream has no comma after the 故选 pattern, so Python joins it to the next one: one pattern, two groups.
        @"故选?\s*([{options}])" + @"只有选?项?\s?([{options}])\s?是?对",
        @"只有选?项?\s?([{options}])\s?是?错",
        @"只有选?项?\s?([{options}])\s?不?正确",
        @"只有选?项?\s?([{options}])\s?错误",
        @"说法不?对选?项?的?是\s?([{options}])",
        @"说法不?正确选?项?的?是\s?([{options}])",
        @"说法错误选?项?的?是\s?([{options}])",
        @"([{options}])\s?是正确的",
        @"([{options}])\s?是正确答案",
        @"选项\s?([{options}])\s?正确",
        @"所以答\s?([{options}])",
        @"所以\s?([{options}][.。$]?$)",
        @"所有\s?([{options}][.。$]?$)",
        @"[\s，：:,]([{options}])[。，,\.]?$",
        @"[\s，,：:][故即]([{options}])[。\.]?$",
        @"[\s，,：:]因此([{options}])[。\.]?$",
        @"[是为。]\s?([{options}])[。\.]?$",
        @"因此\s?([{options}])[。\.]?$",
        @"显然\s?([{options}])[。\.]?$",
        @"答案是\s?(\S+)(?:。|$)",
        @"答案应该是\s?(\S+)(?:。|$)",
        @"答案为\s?(\S+)(?:。|$)",
        @"(?i)ANSWER\s*:\s*([{options}])",
        @"[Tt]he answer is:?\s+\(?([{options}])\)?",
        @"[Tt]he answer is:?\s+\(?\*?\*?([{options}])\*?\*?\)?",
        @"[Tt]he answer is option:?\s+\(?([{options}])\)?",
        @"[Tt]he correct answer is:?\s+\(?([{options}])\)?",
        @"[Tt]he correct answer is option:?\s+\(?([{options}])\)?",
        // Python's f-string turns "{{" into "{"; re reads a "{" that starts no repeat count as a literal.
        @"[Tt]he correct answer is:?.*?boxed{([{options}])}",
        @"[Tt]he correct option is:?.*?boxed{([{options}])}",
        @"[Tt]he correct answer option is:?.*?boxed{([{options}])}",
        @"[Tt]he answer to the question is:?\s+\(?([{options}])\)?",
        @"^选项\s?([{options}])",
        @"^([{options}])\s?选?项",
        @"(\s|^)[{options}][\s。，,：:\.$]",
        @"1.\s?(.*?)$",
        @"1.\s?([{options}])[.。$]?$",
    ];

    /// <summary>The last resort, tried after <see cref="Patterns"/> when the cushion is on (upstream's default).</summary>
    public static readonly IReadOnlyList<string> CushionPatterns =
    [
        @"([{options}]):",
        @"([{options}])",
    ];
}
