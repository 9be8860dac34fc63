namespace Paft.MLNet.Training;

/// <summary>What the model is trained to say after a template's answer cue.</summary>
public enum AnswerTarget
{
    /// <summary>The answer label (" B"): the PAFT paper's target, scored with <c>ScoringMode.AnswerLetter</c>.</summary>
    Letter,

    /// <summary>
    /// The correct option's own text: for models too small to map a found answer to its label; score such
    /// a model with <c>ScoringMode.OptionText</c> or <c>OptionTextNormalized</c>.
    /// </summary>
    OptionText,
}
