namespace Paft.MLNet.Scoring;

/// <summary>How a fine-tuned model answers a multiple-choice prompt.</summary>
public enum ScoringMode
{
    /// <summary>
    /// Log-likelihood of each answer label (" A", " B", ...) right after the prompt; the most likely label
    /// wins. One forward pass of the prompt serves every option. The default; it matches how PAFT trains.
    /// </summary>
    AnswerLetter,

    /// <summary>
    /// Log-likelihood of each option's text after the prompt, summed over its tokens
    /// (lm-evaluation-harness's <c>acc</c>).
    /// </summary>
    OptionText,

    /// <summary>
    /// Log-likelihood of each option's text divided by its length in UTF-8 bytes
    /// (lm-evaluation-harness's <c>acc_norm</c>).
    /// </summary>
    OptionTextNormalized,

    /// <summary>
    /// Greedy generation, then the first option letter found by OpenCompass's
    /// <c>first_option_postprocess</c> cascade (the PAFT paper's protocol). Scores are one-hot.
    /// </summary>
    Generation,
}
