namespace Paft.MLNet.Demo;

/// <summary>One point of the scaling study: PAFT trained on <paramref name="TrainingTemplates"/> templates.</summary>
/// <param name="TrainingTemplates">Size of the training pool used.</param>
/// <param name="Result">Its accuracies on the unseen test templates and its training curve.</param>
public sealed record DemoSweepPoint(int TrainingTemplates, DemoMethodResult Result);
