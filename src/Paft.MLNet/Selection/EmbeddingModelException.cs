namespace Paft.MLNet.Selection;

/// <summary>
/// An embedding model failed to embed templates or answered with unusable vectors: lets callers that wrap the
/// selection tell the embedding service's failures from others (it is an <see cref="InvalidOperationException"/>).
/// </summary>
/// <param name="message">What failed, naming the model and the template concerned.</param>
/// <param name="innerException">The service's own error, if any.</param>
public sealed class EmbeddingModelException(string message, Exception? innerException = null)
    : InvalidOperationException(message, innerException);
