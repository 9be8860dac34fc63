using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Modules;

/// <summary>
/// Whether this CPU multiplies bf16 matrices natively, and so where a bf16 model's products run. With
/// avx512_bf16 (or AMX-BF16) libtorch's bf16 matmul is about twice its fp32 rate; without them it
/// widens every element to fp32 inside the kernel and runs at about a quarter of the fp32 rate
/// (measured on an Intel Xeon whose hypervisor hides avx512_bf16 and AMX: 25 against 93 GFLOP/s a core).
/// There, a bf16 model's linear layers and attention widen their operands to fp32 themselves and use
/// the fp32 kernels: weights and activations stay bf16 in memory, and only the product is computed in
/// fp32 (which is also what a native bf16 kernel accumulates in).
/// </summary>
/// <remarks>
/// <c>PAFT_BF16_MATMUL=native</c> or <c>=fp32</c> overrides the detection (benchmarks and tests compare
/// both paths on one machine). Products with fewer than <see cref="MinimumRows"/> rows (decoding one token
/// at a time) keep the native kernel: widening a whole weight matrix for a few rows would cost more memory
/// traffic than it saves.
/// </remarks>
internal static class Bf16Matmul
{
    /// <summary>The fewest rows (tokens) for which widening to fp32 pays.</summary>
    public const long MinimumRows = 16;

    /// <summary>The environment variable that overrides the detection: <c>native</c> or <c>fp32</c>.</summary>
    public const string OverrideVariable = "PAFT_BF16_MATMUL";

    /// <summary>
    /// Whether bf16 products on the CPU are widened to fp32: from <see cref="OverrideVariable"/>, else the
    /// CPU's capability. Settable for benchmarks that time both paths in one process.
    /// </summary>
    internal static bool WidenOnCpu { get; set; } = Decide(Environment.GetEnvironmentVariable(OverrideVariable), CpuHasNativeBf16());

    /// <summary>
    /// Whether a product of <paramref name="rows"/> rows with the bf16 <paramref name="operand"/> runs in fp32:
    /// the operand is bf16 on a CPU without native bf16 products and there are enough rows.
    /// </summary>
    public static bool Widens(Tensor operand, long rows) =>
        WidenOnCpu && rows >= MinimumRows && operand.dtype == ScalarType.BFloat16 && operand.device.type == DeviceType.CPU;

    /// <summary>The decision for an override value (null: none) and the detected capability.</summary>
    internal static bool Decide(string? overrideValue, bool cpuHasNativeBf16) => overrideValue?.Trim().ToLowerInvariant() switch
    {
        "fp32" => true,
        "native" => false,
        null or "" => !cpuHasNativeBf16,
        _ => throw new InvalidOperationException($"{OverrideVariable} must be 'native' or 'fp32'; got '{overrideValue}'."),
    };

    /// <summary>
    /// avx512_bf16 (CPUID leaf 7 sub-leaf 1, EAX bit 5) or AMX-BF16 (leaf 7 sub-leaf 0, EDX bit 22), as the
    /// hypervisor reports them, which is what libtorch's own dispatch sees too. Not an x86 CPU: assumed native.
    /// </summary>
    private static bool CpuHasNativeBf16()
    {
        if (!X86Base.IsSupported) return true;
        (int maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (maxLeaf < 7) return false;
        (_, _, _, int edx0) = X86Base.CpuId(7, 0);
        (int eax1, _, _, _) = X86Base.CpuId(7, 1);
        return (eax1 & (1 << 5)) != 0 || (edx0 & (1 << 22)) != 0;
    }
}
