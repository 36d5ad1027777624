using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Rill.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Rill.Benchmarks -- cleaner     (log cleaner throughput)
if (args is ["cleaner", ..])
{
    Rill.Benchmarks.CleanerThroughput.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
