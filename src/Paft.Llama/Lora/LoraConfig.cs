using System.Text.RegularExpressions;

namespace Paft.Llama.Lora;

/// <summary>
/// LoRA hyper-parameters and which linear layers to adapt, with Hugging Face PEFT's meaning:
/// each targeted layer <c>W</c> computes <c>W x + (alpha / r) · B A dropout(x)</c>, with A [r, in]
/// initialised Kaiming-uniform (a = √5, as <c>nn.Linear</c>) and B [out, r] initialised to zero,
/// so a freshly applied adapter leaves the model's outputs unchanged.
/// </summary>
public sealed class LoraConfig
{
    private IReadOnlyList<string> _targetModules = ["q_proj", "v_proj"];

    /// <summary>The rank r of the update B A. Default 8.</summary>
    public int Rank { get; init; } = 8;

    /// <summary>lora_alpha; the update is scaled by <see cref="Alpha"/> / <see cref="Rank"/>. Default 16.</summary>
    public double Alpha { get; init; } = 16;

    /// <summary>Dropout probability on the adapter's input (training only). Default 0.</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Module-name suffixes to adapt (PEFT's list form): a layer is adapted when its full name equals an
    /// entry or ends with <c>"." + entry</c>, e.g. <c>q_proj</c> matches <c>model.layers.0.self_attn.q_proj</c>.
    /// Default <c>q_proj</c>, <c>v_proj</c>. Ignored when <see cref="TargetModulesRegex"/> is set.
    /// </summary>
    public IReadOnlyList<string> TargetModules
    {
        get => _targetModules;
        init => _targetModules = value ?? throw new ArgumentNullException(nameof(TargetModules));
    }

    /// <summary>
    /// A regular expression (PEFT's string form) that must match the whole module name, e.g.
    /// <c>.*\.(q_proj|v_proj)</c>. Null to use <see cref="TargetModules"/>.
    /// </summary>
    public string? TargetModulesRegex { get; init; }

    /// <summary>
    /// Rank-stabilised LoRA (PEFT's <c>use_rslora</c>): scale by alpha / √r instead of alpha / r. Default false.
    /// </summary>
    public bool UseRsLora { get; init; }

    /// <summary>The factor applied to B A: <see cref="Alpha"/> / <see cref="Rank"/> (or / √r with <see cref="UseRsLora"/>).</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Whether the module called <paramref name="moduleName"/> is a target.</summary>
    public bool IsTarget(string moduleName)
    {
        ArgumentNullException.ThrowIfNull(moduleName);
        if (TargetModulesRegex is not null)
            return Regex.IsMatch(moduleName, "^(?:" + TargetModulesRegex + ")$", RegexOptions.CultureInvariant);
        foreach (string suffix in _targetModules)
        {
            if (moduleName == suffix || moduleName.EndsWith("." + suffix, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    /// <summary>Throws when a value is out of range, naming it.</summary>
    public void Validate()
    {
        if (Rank <= 0)
            throw new ArgumentOutOfRangeException(nameof(Rank), Rank, "LoRA rank must be positive.");
        if (!(Alpha > 0) || double.IsInfinity(Alpha))
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "lora_alpha must be a positive finite number.");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "LoRA dropout must be in [0, 1).");
        if (TargetModulesRegex is null && _targetModules.Count == 0)
            throw new ArgumentException("LoRA needs at least one target module (or a TargetModulesRegex).", nameof(TargetModules));
        if (TargetModulesRegex is not null)
            _ = new Regex(TargetModulesRegex); // throws ArgumentException naming the bad pattern
    }
}
