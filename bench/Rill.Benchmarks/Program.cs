using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Rill.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
