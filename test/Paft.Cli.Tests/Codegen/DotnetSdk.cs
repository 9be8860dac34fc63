using System.Diagnostics;

namespace Paft.Cli.Tests.Codegen;

/// <summary>The <c>dotnet</c> that runs these tests, when it has an SDK: generated projects are built with it.</summary>
internal static class DotnetSdk
{
    private static readonly Lazy<string?> Host = new(Find);

    public const string SkipReason = "needs the .NET SDK (a dotnet with an SDK installed) to build the generated project";

    /// <summary>The dotnet executable, or null when there is no SDK.</summary>
    public static string? Path => Host.Value;

    /// <summary>Runs dotnet (or another program) in <paramref name="folder"/>; MSBuild's variables of the test run are not passed on.</summary>
    public static (int ExitCode, string Output) Run(string program, string folder, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToArray())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not end in 10 minutes.");
        }
        return (process.ExitCode, output + error.Result);
    }

    private static string? Find()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (host is null || !File.Exists(host))
            host = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator)
                .Select(dir => System.IO.Path.Combine(dir, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"))
                .FirstOrDefault(File.Exists);
        if (host is null)
            return null;
        try
        {
            (int exit, string sdks) = Run(host, System.IO.Path.GetTempPath(), "--list-sdks");
            return exit == 0 && sdks.Trim().Length > 0 ? host : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

/// <summary>A fact that needs <c>../shared</c> and the .NET SDK; skipped with the reason where either is absent.</summary>
internal sealed class SharedSdkFactAttribute : FactAttribute
{
    public SharedSdkFactAttribute()
    {
        if (!SharedData.Available)
            Skip = SharedData.SkipReason;
        else if (DotnetSdk.Path is null)
            Skip = DotnetSdk.SkipReason;
    }
}
