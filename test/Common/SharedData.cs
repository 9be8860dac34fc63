
namespace Paft.Tests.Common;

/// <summary>
/// Locates <c>../shared</c> (the reference fixtures beside the repository). Tests that need it use
/// <see cref="SharedFactAttribute"/> / <see cref="SharedTheoryAttribute"/> and are skipped, with the
/// reason, where it is absent.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The absolute path of <c>shared/</c>, or null.</summary>
    public static string? RootOrNull => Root.Value;

    /// <summary>Whether <c>../shared</c> was found.</summary>
    public static bool Available => Root.Value is not null;

    /// <summary>Why shared tests are skipped.</summary>
    public const string SkipReason =
        "needs the reference fixtures in ../shared beside the repository (not part of a fresh clone)";

    /// <summary>The path of a file or folder under <c>shared/</c>.</summary>
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([Root.Value ?? throw new InvalidOperationException(SkipReason), .. parts]);

    private static string? FindRoot()
    {
        // PAFT_SHARED_DIR names the folder explicitly; a folder that does not exist means "absent", which
        // is how the skip path is checked on a machine that has ../shared.
        string? env = Environment.GetEnvironmentVariable("PAFT_SHARED_DIR");
        if (!string.IsNullOrEmpty(env))
            return Directory.Exists(env) ? System.IO.Path.GetFullPath(env) : null;

        // Walk up from the test assembly until the folder that holds Paft.MLNet.sln; shared/ is its sibling.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Paft.MLNet.sln")))
            {
                string candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }
}

/// <summary>A fact that needs <c>../shared</c>; skipped with the reason where it is absent.</summary>
internal sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason;
    }
}

/// <summary>A theory that needs <c>../shared</c>; skipped with the reason where it is absent.</summary>
internal sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.SkipReason;
    }
}
