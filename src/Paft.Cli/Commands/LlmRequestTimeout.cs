using Paft.MLNet.Connectors;
using System.Globalization;
using Paft.MLNet.PromptGeneration;

namespace Paft.Cli.Commands;

/// <summary>
/// <c>--timeout</c>: the seconds to wait for one reply of an LLM or embedding server before the request counts as failed;
/// one meaning and one check for <c>paft prompts generate</c> and <c>paft train --batprompt/--zopo</c>.
/// </summary>
internal static class LlmRequestTimeout
{
    public const string Flag = "--timeout";

    /// <summary>The default, <see cref="LlmClientSettings.RequestTimeout"/>'s, in seconds.</summary>
    public static double DefaultSeconds => new LlmClientSettings().RequestTimeout.TotalSeconds;

    /// <summary>The timeout of <paramref name="seconds"/>.</summary>
    /// <exception cref="ArgumentException">Not a positive number of seconds that a timer can hold.</exception>
    public static TimeSpan Of(double seconds) => seconds > 0 && seconds <= int.MaxValue / 1000.0
        ? TimeSpan.FromSeconds(seconds)
        : throw new ArgumentException($"{Flag} must be a positive number of seconds (got {seconds.ToString(CultureInfo.InvariantCulture)}).");
}
