using System.Text.Json.Serialization;
using Paft.MLNet.Selection;

namespace Paft.MLNet;

/// <summary>
/// What a selection trainer chose before fine-tuning: on <see cref="PaftTrainingInfo.Selection"/> of the model it fitted.
/// The summary (method, template, accuracy, count) is saved with the model; the full search record is not.
/// </summary>
/// <param name="Method">How the template was chosen.</param>
/// <param name="TemplateId">The chosen template's id (the model's training and inference template).</param>
/// <param name="Accuracy">The base model's accuracy with it on the selection data (BATprompt: on the clean rows).</param>
/// <param name="TemplatesScored">How many templates the base model was scored with.</param>
public sealed record TemplateSelection(TemplateSelectionMethod Method, string TemplateId, double Accuracy, int TemplatesScored)
{
    /// <summary>How long the selection took (loading the base model, scoring, and any chat requests); not saved.</summary>
    [JsonIgnore]
    public TimeSpan Duration { get; init; }

    /// <summary>ZOPO's search: the chosen template and every evaluation in order; null for the other methods and after loading.</summary>
    [JsonIgnore]
    public ZopoResult? Zopo { get; init; }

    /// <summary>
    /// BATprompt's selection: clean and perturbed accuracy of every template scored, and the chat model's rejected candidates;
    /// null for the other methods and after loading.
    /// </summary>
    [JsonIgnore]
    public BatpromptResult? Batprompt { get; init; }
}
