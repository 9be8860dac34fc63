using BenchmarkDotNet.Running;
using Paft.Benchmarks;

// Benchmarks:    dotnet run -c Release --project test/Paft.Benchmarks -- --filter '*InferenceBenchmarks*'
// Memory probe:  dotnet run -c Release --project test/Paft.Benchmarks -- memory llama-20m Lora
// Step profile:  dotnet run -c Release --project test/Paft.Benchmarks -- profile llama-20m Lora
// Layer ops:     dotnet run -c Release --project test/Paft.Benchmarks -- profile-ops /tmp/llama-1b 4 256 2
// Decode profile: dotnet run -c Release --project test/Paft.Benchmarks -- profile-decode llama-20m
// lm_head layout: dotnet run -c Release --project test/Paft.Benchmarks -- profile-decode lm-head 128256 2048 bf16
// GC stress:     dotnet run -c Release --project test/Paft.Benchmarks -- stress 4 3
// Random 1B/8B:  dotnet run -c Release --project test/Paft.Benchmarks -- random-checkpoint 1b /tmp/llama-1b
// See docs/benchmarks.md.
if (args.Length > 0 && args[0] == "memory")
    return TrainingMemoryProbe.Run(args[1..]);
if (args.Length > 0 && args[0] == "profile")
    return TrainingProfile.Run(args[1..]);
if (args.Length > 0 && args[0] == "profile-ops")
    return LayerOpProfile.Run(args[1..]);
if (args.Length > 0 && args[0] == "random-checkpoint")
    return RandomCheckpointWriter.Run(args[1..]);
if (args.Length > 0 && args[0] == "profile-decode")
    return DecodeProfile.Run(args[1..]);
if (args.Length > 0 && args[0] == "stress")
    return GcStressProgram.Run(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
