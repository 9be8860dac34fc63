using Paft.MLNet.Tasks;

namespace Paft.MLNet.Evaluation;

/// <summary>
/// The accuracy thresholds the PAFT paper uses for Top-X%, the share of test templates whose accuracy
/// reaches X: 90% for HellaSwag, 80% for WinoGrande, 85% for PIQA and RACE. Given as fractions (0.90),
/// like ML.NET's accuracies.
/// </summary>
public static class TopXThresholds
{
    /// <summary>HellaSwag's threshold, 0.90.</summary>
    public const double HellaSwag = 0.90;

    /// <summary>WinoGrande's threshold, 0.80.</summary>
    public const double WinoGrande = 0.80;

    /// <summary>PIQA's threshold, 0.85.</summary>
    public const double Piqa = 0.85;

    /// <summary>RACE's threshold, 0.85.</summary>
    public const double Race = 0.85;

    /// <summary>
    /// The threshold for tasks the paper does not cover (user-defined tasks, the embedded demo): 0.80,
    /// the lowest of the paper's. Set <see cref="PromptRobustnessOptions.TopXThreshold"/> to choose another.
    /// </summary>
    public const double Default = 0.80;

    /// <summary>The paper's threshold for a built-in task (matched by name), or null for any other task.</summary>
    public static double? For(TaskDefinition task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Name.ToLowerInvariant() switch
        {
            "hellaswag" => HellaSwag,
            "winogrande" => WinoGrande,
            "piqa" => Piqa,
            "race" => Race,
            _ => null,
        };
    }
}
