namespace Paft.MLNet.Evaluation;

/// <summary>
/// The predictions for every test example under one prompt template. Every template of an evaluation
/// must cover the same examples in the same order.
/// </summary>
/// <param name="TemplateId">The template's id in its pool.</param>
/// <param name="Predictions">One prediction per example, in example order.</param>
public sealed record TemplatePredictions(string TemplateId, IReadOnlyList<ExamplePrediction> Predictions);
