namespace Paft.MLNet.Selection;

/// <summary>
/// A <see cref="ITemplateEmbedder"/> that embeds many templates at once. An embedder behind a remote service
/// implements it so that a pool costs one or a few requests instead of one per template;
/// <see cref="ZopoTemplateSelector"/> embeds the whole pool through it when the embedder offers it.
/// </summary>
public interface IBatchTemplateEmbedder : ITemplateEmbedder
{
    /// <summary>
    /// The embeddings of <paramref name="templateTexts"/>, in their order: the same vectors <see cref="ITemplateEmbedder.Embed"/>
    /// would return one by one, all of the same length.
    /// </summary>
    /// <param name="templateTexts">The templates as a reader sees them (<see cref="Prompts.PromptTemplate.DisplayText"/>).</param>
    IReadOnlyList<float[]> EmbedAll(IReadOnlyList<string> templateTexts);
}
