namespace Paft.MLNet.Selection;

/// <summary>One template scored by the BATprompt-style selection.</summary>
/// <param name="TemplateId">The template.</param>
/// <param name="Round">0 for the pool's templates; 1, 2, ... for the chat model's rounds.</param>
/// <param name="CleanAccuracy">Accuracy on the validation rows as given.</param>
/// <param name="PerturbedAccuracy">Accuracy on the perturbed copies.</param>
public sealed record BatpromptStep(string TemplateId, int Round, double CleanAccuracy, double PerturbedAccuracy)
{
    /// <summary>Clean minus perturbed accuracy.</summary>
    public double Drop => CleanAccuracy - PerturbedAccuracy;
}
