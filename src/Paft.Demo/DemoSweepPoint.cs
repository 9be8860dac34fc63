namespace Paft.Demo;

/// <summary>One point of a study: PAFT trained with <paramref name="Setting"/>, evaluated on the unseen test templates.</summary>
/// <param name="Setting">Training pool size, K and epochs of the run.</param>
/// <param name="Result">Its accuracies on the unseen test templates and its training curve.</param>
public sealed record DemoSweepPoint(DemoSweepSetting Setting, DemoMethodResult Result)
{
    /// <summary>Size of the training pool used (<see cref="DemoSweepSetting.TrainingTemplates"/>).</summary>
    public int TrainingTemplates => Setting.TrainingTemplates;
}
