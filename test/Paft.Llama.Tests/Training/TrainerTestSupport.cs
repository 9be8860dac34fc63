using Paft.Llama.Lora;
using Paft.Llama.Training;

namespace Paft.Llama.Tests.Training;

/// <summary>A synchronous <see cref="IProgress{T}"/> (Progress&lt;T&gt; posts to a context).</summary>
internal sealed class Reporter(Action<TrainingProgress> onReport) : IProgress<TrainingProgress>
{
    public List<TrainingProgress> Reports { get; } = [];

    public void Report(TrainingProgress value)
    {
        Reports.Add(value);
        onReport(value);
    }
}

internal static class ToyTask
{
    /// <summary>
    /// "Continue x with x + 4, then EOS (2)": the toy model can learn it because each position's logits
    /// depend on that position's token. Prompts vary in length, so batches carry padding.
    /// </summary>
    public static IReadOnlyList<TrainingExample> Examples() =>
    [
        new([1, 3], [7, 2]),
        new([1, 6, 4], [8, 2]),
        new([1, 5], [9, 2]),
        new([1, 6, 6, 3], [7, 2]),
        new([1, 4], [8, 2]),
        new([1, 5], [9, 2]),
        new([1, 3], [7, 2]),
    ];

    public static (ToyCausalLM Model, LoraAdapterSet Lora) Model(double dropout = 0.1)
    {
        var model = new ToyCausalLM();
        var lora = LoraAdapterSet.Apply(model, new LoraConfig { Rank = 2, Alpha = 4, Dropout = dropout, TargetModules = ["q_proj", "v_proj", "lm_head"] }, seed: 5);
        return (model, lora);
    }
}
