namespace Paft.MLNet.Selection;

/// <summary>How the BATprompt-style selection ranks templates.</summary>
public enum BatpromptCriterion
{
    /// <summary>
    /// Smallest drop from clean to perturbed accuracy, a rise counting as no drop; ties (among them every template
    /// that does not drop) go to the higher clean accuracy.
    /// </summary>
    LeastDrop = 0,

    /// <summary>Highest accuracy on the perturbed examples (BATprompt's own objective); ties go to the smaller drop.</summary>
    PerturbedAccuracy = 1,
}
