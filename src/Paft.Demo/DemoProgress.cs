namespace Paft.Demo;

/// <summary>A progress report of <see cref="DemoRecipe.Run"/>.</summary>
/// <param name="Stage">What is running: <c>pretrain</c>, <c>evaluate</c>, or a fine-tuning method (<c>sft</c>, <c>sft-top</c>, <c>paft</c>).</param>
/// <param name="Step">Steps (or evaluated templates) done in the stage.</param>
/// <param name="TotalSteps">Steps (or templates) of the stage.</param>
/// <param name="Loss">The training loss of the step; NaN outside training.</param>
/// <param name="Message">A line for humans.</param>
public sealed record DemoProgress(string Stage, int Step, int TotalSteps, double Loss, string Message);
