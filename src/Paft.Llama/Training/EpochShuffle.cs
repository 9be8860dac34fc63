namespace Paft.Llama.Training;

/// <summary>
/// The order examples are visited in one epoch: a Fisher–Yates shuffle driven by SplitMix64 seeded
/// from (seed, epoch). The order is a pure function of those two numbers — the same on every .NET
/// version and machine — so resuming needs no saved RNG state, only the epoch.
/// </summary>
/// <remarks>Public so Paft.MLNet's PAFT training stream visits rows in the order <see cref="LoraTrainer"/> does.</remarks>
public static class EpochShuffle
{
    /// <summary>A permutation of 0..<paramref name="count"/>-1: the visiting order of epoch <paramref name="epoch"/> under <paramref name="seed"/>.</summary>
    public static int[] Order(int count, long seed, int epoch)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        ulong state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch * 0xD1B54A32D192ED03UL);
        for (int i = count - 1; i > 0; i--)
        {
            // Multiply-shift maps a 64-bit draw onto [0, i] with negligible bias for any realistic count.
            int j = (int)(((UInt128)Next(ref state) * (ulong)(i + 1)) >> 64);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
