using TorchSharp;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>Checks a requested device against the TorchSharp backend this build carries.</summary>
internal static class ComputeDevice
{
    public static Device Resolve(Device? device)
    {
        device ??= CPU;
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new InvalidOperationException(
                $"device '{device}' was requested but CUDA is not available: this build uses the CPU backend package " +
                "TorchSharp-cpu (or no CUDA GPU/driver is present). Rebuild with `dotnet build -p:PaftCuda=true`, " +
                "which needs TorchSharp-cuda-linux (or -windows) on your NuGet feed, and run on a machine with an NVIDIA GPU.");
        if (device.type is not (DeviceType.CPU or DeviceType.CUDA))
            throw new ArgumentException($"device '{device}' is not supported; use CPU or CUDA", nameof(device));
        return device;
    }
}
