namespace Paft.MLNet.Training;

/// <summary>The floating-point type the model computes in.</summary>
public enum PaftComputeType
{
    /// <summary>32-bit floats: exact to the reference; the default.</summary>
    Float32,

    /// <summary>bfloat16: half the memory, faster on CPUs with AVX-512 BF16; adapters stay in fp32.</summary>
    BFloat16,
}
