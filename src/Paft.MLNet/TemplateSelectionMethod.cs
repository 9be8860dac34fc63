namespace Paft.MLNet;

/// <summary>How a selection trainer chose the one template it fine-tuned on.</summary>
public enum TemplateSelectionMethod
{
    /// <summary>The pool template the base model is most accurate on (<see cref="TopAccuracyTrainer"/>).</summary>
    TopAccuracy,

    /// <summary>ZOPO's budgeted zeroth-order search over embeddings of the pool (<see cref="ZopoTrainer"/>).</summary>
    Zopo,

    /// <summary>BATprompt: the template whose accuracy drops least under input noise (<see cref="BatpromptTrainer"/>).</summary>
    Batprompt,
}
