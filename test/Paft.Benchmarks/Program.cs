using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project test/Paft.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
