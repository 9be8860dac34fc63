namespace Paft.MLNet.Selection;

/// <summary>
/// Maps a template to a point in a vector space where templates that work alike lie close together:
/// the space the ZOPO-style search moves in. The model-based embedder (mean-pooled hidden states of the
/// base model) and a sentence-embedding model are other implementations.
/// </summary>
public interface ITemplateEmbedder
{
    /// <summary>The embedding of one template; every call must return vectors of the same length.</summary>
    /// <param name="templateText">The template as a reader sees it (<see cref="Prompts.PromptTemplate.DisplayText"/>).</param>
    float[] Embed(string templateText);
}
