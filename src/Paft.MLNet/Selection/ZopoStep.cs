namespace Paft.MLNet.Selection;

/// <summary>One evaluation of the ZOPO-style search.</summary>
/// <param name="Step">0-based position in the search.</param>
/// <param name="TemplateId">The template evaluated.</param>
/// <param name="Accuracy">Its observed validation accuracy.</param>
/// <param name="PosteriorMean">The Gaussian process's mean at the template when it was chosen (NaN for initial picks).</param>
/// <param name="PosteriorStd">The posterior standard deviation there (NaN for initial picks).</param>
/// <param name="Reason">Why it was chosen.</param>
public sealed record ZopoStep(int Step, string TemplateId, double Accuracy, double PosteriorMean, double PosteriorStd, ZopoStepReason Reason);
