namespace Paft.MLNet.Prompts;

/// <summary>The two disjoint sides of a split pool.</summary>
/// <param name="Train">Templates to train with.</param>
/// <param name="Test">Unseen templates to evaluate robustness on.</param>
public sealed record PromptPoolSplit(PromptPool Train, PromptPool Test);
