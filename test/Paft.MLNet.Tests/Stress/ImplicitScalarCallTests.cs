using System.Reflection;
using System.Reflection.Emit;
using Paft.Llama.Modeling;
using TorchSharp;

namespace Paft.MLNet.Tests.Stress;

/// <summary>
/// A static guard beside the stress test: no method of Paft.Llama or Paft.MLNet calls a TorchSharp method
/// that makes a <see cref="Scalar"/> inside (found by reading TorchSharp's IL, through its own calls and
/// lambdas), converts a number to a Scalar implicitly, or steps a TorchSharp optimizer (its step() makes
/// one Scalar per hyperparameter behind a virtual call). Explicit <c>ToScalar()</c> is allowed: by the
/// project's rule its result is a <c>using</c> local (see HeldScalars).
/// </summary>
public class ImplicitScalarCallTests
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private static readonly Assembly TorchSharpAssembly = typeof(torch).Assembly;
    private static readonly Dictionary<MethodBase, bool> MakesScalar = [];

    [Fact]
    public void NoProjectMethodCallsATorchSharpMethodThatMakesAnUnheldScalar()
    {
        var offenders = new List<string>();
        foreach (Assembly assembly in new[] { typeof(LlamaConfig).Assembly, typeof(PaftCatalog).Assembly })
        foreach (Type type in assembly.GetTypes())
        {
            // The embedded demo's pretraining (moving out of Paft.MLNet) still uses TorchSharp's AdamW.
            if (type.Namespace?.StartsWith("Paft.MLNet.Demo", StringComparison.Ordinal) == true) continue;
            foreach (MethodBase method in Methods(type))
            foreach (MethodBase called in Calls(method))
            {
                bool explicitScalar = called.DeclaringType == typeof(ScalarExtensionMethods); // x.ToScalar(): held by the caller
                if (IsImplicitConversion(called) || IsOptimizerStep(called) || (!explicitScalar && called.Module.Assembly == TorchSharpAssembly && Makes(called, 0)))
                    offenders.Add($"{type.FullName}.{method.Name} calls {called.DeclaringType?.Name}.{called.Name}({string.Join(", ", called.GetParameters().Select(p => p.ParameterType.Name))})");
            }
        }
        Assert.True(offenders.Count == 0, "TorchSharp calls that make an unheld Scalar:\n" + string.Join("\n", offenders.Distinct()));
    }

    [Fact]
    public void TheGuardSeesTheCallsItForbids()
    {
        // The reading of IL must find what it looks for, or the test above proves nothing.
        MethodInfo sample = typeof(ImplicitScalarCallTests).GetMethod(nameof(Forbidden), BindingFlags.NonPublic | BindingFlags.Static)!;
        var calls = Calls(sample).ToList();
        Assert.Contains(calls, c => c.Module.Assembly == TorchSharpAssembly && c.Name == "op_Addition" && Makes(c, 0));
        Assert.Contains(calls, c => c.Module.Assembly == TorchSharpAssembly && c.Name == "square" && Makes(c, 0));
        Assert.Contains(calls, IsImplicitConversion);
        Assert.DoesNotContain(calls, c => c.Module.Assembly == TorchSharpAssembly && c.Name == "sub" && Makes(c, 0));
    }

    private static torch.Tensor Forbidden(torch.Tensor a, torch.Tensor b) => (a + b).square().mul(2.0).sub(b);

    private static bool IsImplicitConversion(MethodBase m) => m.DeclaringType == typeof(Scalar) && m.Name == "op_Implicit";

    private static bool IsOptimizerStep(MethodBase m) =>
        m.Name == "step" && m.Module.Assembly == TorchSharpAssembly && typeof(torch.optim.Optimizer).IsAssignableFrom(m.DeclaringType);

    private static bool MakesScalarDirectly(MethodBase m) =>
        IsImplicitConversion(m) || (m.DeclaringType == typeof(Scalar) && m.IsConstructor) || m.DeclaringType == typeof(ScalarExtensionMethods);

    /// <summary>Whether a TorchSharp method makes a Scalar, itself or through TorchSharp methods it calls.</summary>
    private static bool Makes(MethodBase method, int depth)
    {
        if (MakesScalar.TryGetValue(method, out bool known)) return known;
        if (depth > 12) return false;
        MakesScalar[method] = false; // breaks cycles
        bool result = Calls(method).Any(c => MakesScalarDirectly(c) || (c.Module.Assembly == TorchSharpAssembly && Makes(c, depth + 1)));
        MakesScalar[method] = result;
        return result;
    }

    private static IEnumerable<MethodBase> Methods(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        return type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
    }

    /// <summary>The methods an IL body calls or takes a pointer to (ldftn: lambdas).</summary>
    private static IEnumerable<MethodBase> Calls(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i++];
            if (value == 0xFE) value = (short)(0xFE00 | il[i++]);
            if (!OpCodesByValue.TryGetValue(value, out OpCode op)) yield break;
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? target = null;
                try { target = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs); }
                catch (ArgumentException) { }
                if (target is not null) yield return target;
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
    }
}
