using System.Reflection;

namespace Paft.MLNet.Tests;

/// <summary>The shipped libraries hold the product only: the embedded demo lives in Paft.Demo, a client of their public API.</summary>
public sealed class LibraryHasNoDemoTypesTests
{
    [Theory]
    [InlineData(typeof(PaftCatalog))]
    [InlineData(typeof(Paft.Llama.Modeling.LlamaForCausalLM))]
    public void NoTypeOfTheLibraryIsADemoType(Type anyTypeOfTheAssembly)
    {
        Assembly assembly = anyTypeOfTheAssembly.Assembly;
        Type[] types = assembly.GetTypes();
        Assert.NotEmpty(types);
        string[] demoTypes = types
            .Where(t => (t.Namespace ?? "").Split('.').Contains("Demo", StringComparer.OrdinalIgnoreCase)
                        || t.Name.StartsWith("Demo", StringComparison.Ordinal)
                        || t.Name.Contains("LetterScorer", StringComparison.Ordinal))
            .Select(t => t.FullName!)
            .ToArray();
        Assert.True(demoTypes.Length == 0, $"{assembly.GetName().Name}.dll holds demo types: {string.Join(", ", demoTypes)}");
        // Nor does it name the demo's assembly as a friend.
        Assert.DoesNotContain(assembly.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>(),
            a => a.AssemblyName.StartsWith("Paft.Demo", StringComparison.Ordinal));
    }
}
