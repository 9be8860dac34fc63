using System.Reflection;
using System.Runtime.CompilerServices;

namespace Paft.Cli.Tests;

/// <summary>
/// The libraries open their internals to test assemblies only: the tool, the demo and each other use public API
/// (issue 14). Paft.Benchmarks lives in test/ and counts as a test assembly.
/// </summary>
public sealed class LibraryBoundaryTests
{
    /// <summary>Every assembly this repository ships or builds outside test/.</summary>
    private static readonly Assembly[] Shipped =
    [
        typeof(Paft.Llama.Modeling.LlamaForCausalLM).Assembly,
        typeof(Paft.MLNet.PaftCatalog).Assembly,
        typeof(Paft.MLNet.Connectors.LlmClientFactory).Assembly,
        typeof(Paft.Demo.DemoRecipe).Assembly,
        typeof(Paft.Cli.Commands.PaftRootCommand).Assembly,
    ];

    internal static bool IsTestAssembly(string name) =>
        name == "Paft.Benchmarks" || (name.StartsWith("Paft.", StringComparison.Ordinal) && name.EndsWith(".Tests", StringComparison.Ordinal));

    [Fact]
    public void No_InternalsVisibleTo_names_an_assembly_that_is_not_a_test_assembly()
    {
        var friends = Shipped.SelectMany(a => a.GetCustomAttributes<InternalsVisibleToAttribute>()
            .Select(f => (Assembly: a.GetName().Name, Friend: f.AssemblyName))).ToList();
        // The attributes are read: the libraries do name their test assemblies.
        Assert.Contains(friends, f => f.Assembly == "Paft.MLNet" && f.Friend == "Paft.MLNet.Tests");
        Assert.Contains(friends, f => f.Assembly == "Paft.Llama" && f.Friend == "Paft.Benchmarks");
        string[] offenders = friends.Where(f => !IsTestAssembly(f.Friend)).Select(f => $"{f.Assembly} -> {f.Friend}").ToArray();
        Assert.True(offenders.Length == 0, "InternalsVisibleTo names non-test assemblies: " + string.Join(", ", offenders));
    }

    [Theory]
    [InlineData("Paft.MLNet.Tests", true)]
    [InlineData("Paft.Benchmarks", true)]
    [InlineData("paft", false)]
    [InlineData("Paft.MLNet", false)]
    [InlineData("Paft.Demo", false)]
    [InlineData("Paft.MLNet.Connectors", false)]
    public void Only_test_assemblies_count_as_test_assemblies(string name, bool isTest) =>
        Assert.Equal(isTest, IsTestAssembly(name));
}
