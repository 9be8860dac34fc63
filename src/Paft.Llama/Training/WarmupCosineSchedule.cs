namespace Paft.Llama.Training;

/// <summary>
/// Linear warmup then cosine decay to zero, the schedule of Hugging Face's
/// <c>get_cosine_schedule_with_warmup</c> (half a cosine period): for optimizer step s (0-based),
/// <c>lr(s) = peak · s / w</c> while <c>s &lt; w</c>, then
/// <c>peak · ½ (1 + cos(π (s − w) / (N − w)))</c>, where w = warmup steps and N = total steps.
/// As in Hugging Face, the first step with warmup runs at a learning rate of zero.
/// </summary>
public sealed class WarmupCosineSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="peakLearningRate">The rate reached at the end of warmup.</param>
    /// <param name="warmupSteps">Steps of linear warmup (0 for none).</param>
    /// <param name="totalSteps">All optimizer steps of the run.</param>
    public WarmupCosineSchedule(double peakLearningRate, int warmupSteps, int totalSteps)
    {
        if (!(peakLearningRate >= 0) || double.IsInfinity(peakLearningRate))
            throw new ArgumentOutOfRangeException(nameof(peakLearningRate), peakLearningRate, "The learning rate must be finite and non-negative.");
        if (totalSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "There must be at least one step.");
        if (warmupSteps < 0 || warmupSteps > totalSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"Warmup steps must be in [0, {totalSteps}].");
        PeakLearningRate = peakLearningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
    }

    /// <summary>Warmup steps from a ratio of the total, rounded up (Hugging Face's <c>warmup_ratio</c>).</summary>
    public static int WarmupStepsFromRatio(double ratio, int totalSteps)
    {
        if (!(ratio >= 0 && ratio <= 1))
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The warmup ratio must be in [0, 1].");
        return (int)Math.Ceiling(ratio * totalSteps);
    }

    /// <summary>The peak learning rate.</summary>
    public double PeakLearningRate { get; }

    /// <summary>Warmup steps w.</summary>
    public int WarmupSteps { get; }

    /// <summary>Total steps N.</summary>
    public int TotalSteps { get; }

    /// <summary>The learning rate for 0-based optimizer step <paramref name="step"/>.</summary>
    public double LearningRateAt(int step)
    {
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step, "Steps are counted from 0.");
        if (step < WarmupSteps)
            return PeakLearningRate * step / WarmupSteps;
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps));
        return PeakLearningRate * 0.5 * (1.0 + Math.Cos(Math.PI * progress));
    }
}
