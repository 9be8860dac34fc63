using System.Text.RegularExpressions;

namespace Paft.Llama.Modeling;

/// <summary>Which stored tensors of a Hugging Face LLaMA checkpoint the model has no parameter for, and may skip.</summary>
internal static partial class LlamaCheckpointKeys
{
    /// <summary>Old checkpoints stored RoPE's inv_freq; it is computed from the config.</summary>
    [GeneratedRegex(@"^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$")]
    private static partial Regex RotaryInverseFrequencies();

    /// <summary>Keys Hugging Face itself ignores when loading LLaMA: inv_freq, and a tied model's <c>lm_head.weight</c>.</summary>
    public static bool IsIgnorable(string name, LlamaConfig config) =>
        RotaryInverseFrequencies().IsMatch(name) || (config.TieWordEmbeddings && name == "lm_head.weight");
}
