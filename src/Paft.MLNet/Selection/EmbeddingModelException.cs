namespace Paft.MLNet.Selection;

/// <summary>
/// An embedding model failed to embed templates or answered with unusable vectors. Internal so that callers that
/// wrap the selection (the CLI) can tell the embedding service's failures from others; the public contract is
/// <see cref="InvalidOperationException"/>.
/// </summary>
internal sealed class EmbeddingModelException(string message, Exception? innerException = null)
    : InvalidOperationException(message, innerException);
