using Paft.Llama.Checkpoints;
using Paft.Tests.Common;
using static TorchSharp.torch;

namespace Paft.Llama.Tests;

/// <summary>Paths and expected tensors of the reference fixtures in ../shared.</summary>
internal static class Fixtures
{
    public static string Model(string name) => SharedData.Path("fixtures", "llama", name);

    /// <summary>Reads every tensor of a fixture's expected-output file.</summary>
    public static Dictionary<string, Tensor> Expected(string model, string file = "expected.safetensors")
    {
        using var f = SafetensorsFile.Open(Path.Combine(Model(model), file));
        return f.ReadAll();
    }

    /// <summary>The largest absolute difference between two tensors, in float64.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var d = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }
}
