namespace Paft.Llama.Training;

/// <summary>
/// One supervised example as token ids: the prompt (context, not learned) and the completion (the
/// tokens the loss is taken on). The prompt should start with the tokenizer's BOS id if the model
/// expects one; the completion should end with EOS if the model should learn to stop.
/// </summary>
/// <param name="PromptIds">Prompt token ids; may be empty (then the first completion token is not learned, having no predecessor).</param>
/// <param name="CompletionIds">Completion token ids; at least one.</param>
public sealed record TrainingExample(IReadOnlyList<int> PromptIds, IReadOnlyList<int> CompletionIds);
