using Microsoft.ML;

namespace Paft.MLNet;

/// <summary>
/// Options of a trainer that first chooses one template of the pool with the BASE model, then fine-tunes on it
/// (supervised fine-tuning, the paper's single-template baselines): <see cref="TopAccuracyTrainer"/>, and with more
/// settings <see cref="ZopoTrainerOptions"/> and <see cref="BatpromptTrainerOptions"/>.
/// </summary>
public class TemplateSelectionTrainerOptions
{
    /// <summary>
    /// The fine-tuning options; <see cref="PaftTrainerOptions.TrainingTemplates"/> is the pool to choose from, and the
    /// chosen template becomes the one training and inference template. Required.
    /// </summary>
    public PaftTrainerOptions Trainer { get; set; } = new();

    /// <summary>
    /// The rows templates are scored on (every one labelled; the columns named as in <see cref="Trainer"/>), read in
    /// <c>Fit</c>. Required.
    /// </summary>
    public IDataView SelectionData { get; set; } = null!;

    /// <summary>Checks what can be checked without reading data or loading the model; errors name the setting.</summary>
    internal virtual void Validate()
    {
        if (Trainer is null)
            throw new ArgumentException($"{GetType().Name}.{nameof(Trainer)} is required: the fine-tuning options and the pool.");
        if (SelectionData is null)
            throw new ArgumentException($"{GetType().Name}.{nameof(SelectionData)} is required: labelled rows to score the templates on.");
        Trainer.Validate(requireModelFolder: false);
    }
}
