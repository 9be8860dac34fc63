namespace Paft.Llama.Inference;

/// <summary>How <see cref="LlamaGenerator"/> picks tokens and when it stops.</summary>
public sealed record GenerationOptions
{
    /// <summary>The most tokens to generate (the prompt not counted).</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary>Softmax temperature; 0 means greedy (always the most likely token).</summary>
    public double Temperature { get; init; }

    /// <summary>Nucleus sampling: sample only among the most likely tokens whose probabilities sum to this; 1 keeps all.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Seed of the sampler's own random generator: the same seed gives the same tokens.</summary>
    public ulong Seed { get; init; }

    /// <summary>Ids that end generation (e.g. the model's eos ids). The stop token itself is not returned.</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];

    internal void Validate()
    {
        if (MaxNewTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "must be zero or more");
        if (Temperature < 0 || double.IsNaN(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "must be zero (greedy) or positive");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "must be in (0, 1]");
    }
}
