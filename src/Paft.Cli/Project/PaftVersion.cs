using System.Reflection;
using Paft.MLNet;

namespace Paft.Cli.Project;

/// <summary>The library version a run or a generated file records: Paft.MLNet's informational version, without the source hash.</summary>
internal static class PaftVersion
{
    public static string Current { get; } = Read();

    private static string Read()
    {
        string version = typeof(PaftTransformer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(PaftTransformer).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
