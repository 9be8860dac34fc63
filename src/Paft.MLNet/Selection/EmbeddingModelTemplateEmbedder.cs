using Microsoft.Extensions.AI;
using Paft.MLNet.PromptGeneration;

namespace Paft.MLNet.Selection;

/// <summary>
/// Embeds templates with a sentence-embedding model behind an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
/// (Microsoft.Extensions.AI): an OpenAI-compatible <c>/v1/embeddings</c> endpoint, Ollama's <c>/api/embed</c>, or any
/// generator of your own. The ZOPO paper's alternative to the base model's hidden states (<see cref="HiddenStateEmbedder"/>):
/// a model trained to put texts of similar meaning close together. A pool is sent in batches of <see cref="BatchSize"/>
/// templates per request; each vector is L2-normalised, as <see cref="HiddenStateEmbedder"/>'s are, so the Gaussian
/// process compares directions. Every error names the model (<see cref="Name"/>) and the template concerned. One
/// instance is meant for one search at a time (it is not thread-safe): it remembers the vector length of its first
/// reply and refuses replies of another length.
/// </summary>
public sealed class EmbeddingModelTemplateEmbedder : IBatchTemplateEmbedder, IDisposable
{
    /// <summary>The default number of templates per request: a pool of 100 is two requests.</summary>
    public const int DefaultBatchSize = 64;

    // How much of a template an error message quotes: enough to find it in the pool file.
    private const int QuotedLength = 60;

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly bool _ownsGenerator;
    private readonly SecretRedactor _redactor;
    private int _dimension;
    private string? _firstTemplate;
    private int _requestCount;

    /// <summary>Embeds with <paramref name="generator"/>, <paramref name="batchSize"/> templates a request.</summary>
    /// <param name="generator">Any embedding generator (Paft.MLNet.Connectors' <c>LlmClientFactory.CreateTemplateEmbedder</c>
    /// makes one for an OpenAI-compatible or Ollama endpoint).</param>
    /// <param name="name">Names the model in messages, e.g. <c>openai:text-embedding-3-small@api.openai.com</c>.</param>
    /// <param name="batchSize">Templates per request; default <see cref="DefaultBatchSize"/>.</param>
    /// <param name="apiKey">The key <paramref name="generator"/> sends, if any: masked in every message.</param>
    /// <param name="ownsGenerator">Whether <see cref="Dispose"/> disposes <paramref name="generator"/>.</param>
    public EmbeddingModelTemplateEmbedder(IEmbeddingGenerator<string, Embedding<float>> generator, string name, int batchSize = DefaultBatchSize,
        string? apiKey = null, bool ownsGenerator = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _generator = generator;
        Name = name;
        BatchSize = batchSize;
        _ownsGenerator = ownsGenerator;
        // Whatever the HTTP stack puts in an exception message is passed on; the key must not be.
        _redactor = new SecretRedactor([apiKey]);
    }

    /// <summary>The model's name in messages: <c>kind:model@host:port</c> for one made by Paft.MLNet.Connectors.</summary>
    public string Name { get; }

    /// <summary>Templates sent per request.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// Cancels a request in flight, e.g. on Ctrl+C (default: none). <see cref="ITemplateEmbedder"/>'s calls take no
    /// token, so a host that wants to stop a search during a request sets it here before the search starts.
    /// </summary>
    public CancellationToken RequestCancellation { get; set; }

    /// <summary>Requests sent to the model so far (failed ones included).</summary>
    public int RequestCount => _requestCount;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The request failed, or the reply is not one usable vector (see <see cref="EmbedAll"/>).</exception>
    public float[] Embed(string templateText)
    {
        ArgumentNullException.ThrowIfNull(templateText);
        return EmbedAll([templateText])[0];
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">A request failed; or a reply has another number of vectors than templates sent,
    /// an empty, all-zero or non-finite vector, or a vector whose length differs from the first one's. The message names the
    /// model and the template.</exception>
    public IReadOnlyList<float[]> EmbedAll(IReadOnlyList<string> templateTexts)
    {
        ArgumentNullException.ThrowIfNull(templateTexts);
        var vectors = new List<float[]>(templateTexts.Count);
        for (int start = 0; start < templateTexts.Count; start += BatchSize)
        {
            string[] batch = templateTexts.Skip(start).Take(BatchSize).ToArray();
            for (int i = 0; i < batch.Length; i++)
                if (batch[i] is null)
                    throw new ArgumentException($"Template {start + i} of {templateTexts.Count} is null.", nameof(templateTexts));
            GeneratedEmbeddings<Embedding<float>> reply = Request(batch);
            for (int i = 0; i < batch.Length; i++)
                vectors.Add(Normalized(reply[i], batch[i]));
        }
        return vectors;
    }

    /// <summary>Disposes the generator if this embedder owns it.</summary>
    public void Dispose()
    {
        if (_ownsGenerator)
            _generator.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private GeneratedEmbeddings<Embedding<float>> Request(string[] batch)
    {
        _requestCount++;
        GeneratedEmbeddings<Embedding<float>> reply;
        try
        {
            // ITemplateEmbedder is synchronous: the selection it serves is a synchronous loop of model evaluations.
            reply = _generator.GenerateAsync(batch, cancellationToken: RequestCancellation).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Error($"could not embed {Count(batch.Length)} (the first: {Quote(batch[0])}): {e.Message}", e);
        }
        if (reply is null || reply.Count != batch.Length)
            throw Error($"returned {reply?.Count ?? 0} vector(s) for {Count(batch.Length)} (the first: {Quote(batch[0])}).");
        return reply;
    }

    private float[] Normalized(Embedding<float> embedding, string template)
    {
        float[] vector = embedding?.Vector.ToArray() ?? [];
        if (vector.Length == 0)
            throw Error($"returned an empty vector for template {Quote(template)}.");
        if (_firstTemplate is null)
        {
            _dimension = vector.Length;
            _firstTemplate = template;
        }
        else if (vector.Length != _dimension)
        {
            throw Error($"returned {vector.Length} values for template {Quote(template)} but {_dimension} for {Quote(_firstTemplate)}.");
        }
        double squares = 0;
        foreach (float v in vector)
        {
            if (!float.IsFinite(v))
                throw Error($"returned a non-finite value ({v}) for template {Quote(template)}.");
            squares += (double)v * v;
        }
        // A zero vector has no direction to compare: the Gaussian process could not place the template.
        if (squares == 0)
            throw Error($"returned an all-zero vector for template {Quote(template)}.");
        double norm = Math.Sqrt(squares);
        for (int i = 0; i < vector.Length; i++)
            vector[i] = (float)(vector[i] / norm);
        return vector;
    }

    private EmbeddingModelException Error(string what, Exception? inner = null) =>
        new(_redactor.Redact($"The embedding model {Name} {what}"), inner);

    private static string Count(int templates) => templates == 1 ? "1 template" : $"{templates} templates";

    /// <summary>The template's start on one line, quoted.</summary>
    private static string Quote(string template)
    {
        string oneLine = template.ReplaceLineEndings(" ");
        return "'" + (oneLine.Length <= QuotedLength ? oneLine : oneLine[..QuotedLength] + "...") + "'";
    }
}
