namespace Paft.Cli.Commands;

/// <summary>
/// The record, in <c>train_config.json</c>, of the template a selector (<c>--top-accuracy</c>, <c>--zopo</c>,
/// <c>--batprompt</c>) chose and the model was fine-tuned on: its id and text, and whether it came from the
/// <c>--prompts</c> pool or was written by the LLM of <c>--batprompt --endpoint</c>. It is what the run found, not a
/// setting: a <c>--config</c> file may hold it (so the written file reads back), but it is ignored there and the
/// run selects afresh.
/// </summary>
/// <param name="Id">The template's id (<c>batprompt-r&lt;round&gt;-&lt;n&gt;</c> for an LLM's template).</param>
/// <param name="Text">The template as the model was trained on it and answers with (also in the model's <c>paft_model.json</c>).</param>
/// <param name="Source"><c>pool</c> (a template of <c>--prompts</c>) or <c>llm</c> (written by the LLM, in no pool file).</param>
/// <param name="Round">For an LLM's template, the BATprompt round that wrote it.</param>
/// <param name="Llm">For an LLM's template, which LLM wrote it (<c>kind:model@host:port</c>).</param>
/// <param name="Embedder">For <c>--zopo</c>, what placed the templates for the search: <see cref="BaseModelHiddenStates"/> or the
/// embedding model (<c>kind:model@host:port</c>; never its key).</param>
internal sealed record TrainChosenTemplate(string Id, string Text, string Source, int? Round = null, string? Llm = null, string? Embedder = null)
{
    /// <summary>The <see cref="Embedder"/> of a ZOPO search over the base model's mean-pooled hidden states.</summary>
    public const string BaseModelHiddenStates = "base model hidden states";

    /// <summary>The <see cref="Source"/> of a template of the <c>--prompts</c> pool.</summary>
    public const string FromPool = "pool";

    /// <summary>The <see cref="Source"/> of a template the LLM wrote.</summary>
    public const string FromLlm = "llm";
}
