using Paft.MLNet.Training;

namespace Paft.MLNet;

/// <summary>How a PAFT model was trained, kept with it so a saved model says what it is.</summary>
/// <param name="TrainingTemplateIds">Ids of the training templates (the pool, or the one SFT template).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="RedrawEverySteps">K.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="BatchSize">Micro-batch size.</param>
/// <param name="GradientAccumulationSteps">Micro-batches per step.</param>
/// <param name="Seed">Seed.</param>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="FinalLoss">Loss of the last step.</param>
public sealed record PaftTrainingInfo(
    IReadOnlyList<string> TrainingTemplateIds,
    int Epochs,
    int RedrawEverySteps,
    double LearningRate,
    int BatchSize,
    int GradientAccumulationSteps,
    int Seed,
    int Steps,
    double FinalLoss)
{
    internal PaftTrainingInfo(PaftTrainerOptions o, int steps, double finalLoss)
        : this(o.TrainingTemplates.Select(t => t.Id).ToArray(), o.Epochs, o.RedrawEverySteps, o.LearningRate, o.BatchSize,
            o.GradientAccumulationSteps, o.Seed, steps, finalLoss)
    {
        AnswerTarget = o.AnswerTarget;
    }

    /// <summary>What the model was trained to say after the answer cue; null for a model saved before this was recorded.
    /// Scoring it in a mode that cannot work with this target is refused (see <see cref="PaftTrainerOptions.AnswerTarget"/>).</summary>
    public AnswerTarget? AnswerTarget { get; init; }

    /// <summary>
    /// What a selection trainer (<see cref="TopAccuracyTrainer"/>, <see cref="ZopoTrainer"/>, <see cref="BatpromptTrainer"/>)
    /// chose before fine-tuning; null for PAFT and plain SFT.
    /// </summary>
    public TemplateSelection? Selection { get; init; }
}
