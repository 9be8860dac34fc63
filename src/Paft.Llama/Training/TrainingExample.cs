namespace Paft.Llama.Training;

/// <summary>
/// One supervised example as token ids: the prompt (context, not learned) and the completion (the
/// tokens the loss is taken on). The prompt should start with the tokenizer's BOS id if the model
/// expects one; the completion should end with EOS if the model should learn to stop.
/// </summary>
/// <param name="PromptIds">Prompt token ids; may be empty (then the first completion token is not learned, having no predecessor).</param>
/// <param name="CompletionIds">Completion token ids; at least one.</param>
public sealed record TrainingExample(IReadOnlyList<int> PromptIds, IReadOnlyList<int> CompletionIds)
{
    /// <summary>
    /// The id of the prompt template the prompt was rendered with, or null. The trainer does not read it; it
    /// reports the ids of each step's examples in <see cref="TrainingProgress.TemplateIds"/>, so a run can show
    /// which template every step trained on.
    /// </summary>
    public string? TemplateId { get; init; }
}
