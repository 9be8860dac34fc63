namespace Paft.MLNet.Perturbation;

/// <summary>How a chat model is asked to rewrite an input text (meaning kept).</summary>
public enum ChatRewriteKind
{
    /// <summary>Replace some words by synonyms, keeping the sentence structure.</summary>
    Synonyms = 0,

    /// <summary>Say the same thing in other words.</summary>
    Paraphrase = 1,
}
