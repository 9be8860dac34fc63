namespace Paft.MLNet.Demo;

/// <summary>What the demo's models are trained to say after a template's answer cue, and scored on.</summary>
public enum DemoAnswerForm
{
    /// <summary>
    /// The option's letter (" B"), as in the PAFT paper. The model must find the answer and then which
    /// label stands before it in the option list: two lookups, which the demo's tiny model has not
    /// learned to do in any configuration measured so far.
    /// </summary>
    Letter,

    /// <summary>
    /// The option's own distinguishing word (the container's colour, " red"), scored among the four
    /// options' words: lm-evaluation-harness's option-likelihood protocol. One lookup, the skill
    /// pretraining teaches in plain form.
    /// </summary>
    OptionWord,
}
