using System.Globalization;

namespace Paft.Demo;

/// <summary>
/// One PAFT run of a study on the embedded task: how many templates of the training pool it draws from,
/// how often it redraws (the paper's K) and how many epochs it trains (the paper's T).
/// </summary>
/// <param name="TrainingTemplates">The first this many templates of the training pool (at least 1; 1 is single-template SFT).</param>
/// <param name="RedrawEverySteps">PAFT's K: the template is redrawn every this many optimizer steps (at least 1).</param>
/// <param name="Epochs">Fine-tuning epochs (at least 1).</param>
public sealed record DemoSweepSetting(int TrainingTemplates, int RedrawEverySteps, int Epochs)
{
    /// <summary>The run's model folder and method name, e.g. <c>paft-n72-k4-e3</c>: every setting gets its own.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"paft-n{TrainingTemplates}-k{RedrawEverySteps}-e{Epochs}");

    /// <summary>The paper's Table 3 grid: every K with every epoch count, all on <paramref name="trainingTemplates"/> templates; K varies fastest.</summary>
    /// <param name="trainingTemplates">The pool size every setting trains on (the full training pool in the paper).</param>
    /// <param name="redrawEverySteps">The values of K.</param>
    /// <param name="epochs">The epoch counts.</param>
    public static IReadOnlyList<DemoSweepSetting> Grid(int trainingTemplates, IEnumerable<int> redrawEverySteps, IEnumerable<int> epochs)
    {
        ArgumentNullException.ThrowIfNull(redrawEverySteps);
        ArgumentNullException.ThrowIfNull(epochs);
        int[] ks = redrawEverySteps.ToArray();
        return epochs.SelectMany(e => ks.Select(k => new DemoSweepSetting(trainingTemplates, k, e))).ToList();
    }

    /// <summary>Throws, naming the field, when a value is out of range.</summary>
    internal void Validate(int poolSize)
    {
        if (TrainingTemplates < 1 || TrainingTemplates > poolSize)
            throw new ArgumentException(
                $"{Name}: TrainingTemplates must be between 1 and the training pool's {poolSize} templates (raise Templates for more).", nameof(TrainingTemplates));
        if (RedrawEverySteps < 1)
            throw new ArgumentException($"{Name}: RedrawEverySteps (K) must be at least 1.", nameof(RedrawEverySteps));
        if (Epochs < 1)
            throw new ArgumentException($"{Name}: Epochs must be at least 1.", nameof(Epochs));
    }
}
