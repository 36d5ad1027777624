using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Rill.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/Rill.Benchmarks -- cleaner     (log cleaner throughput)
// dotnet run -c Release --project bench/Rill.Benchmarks -- produce     (produce path CPU per GB, ProduceBenchmarks.cs)
// dotnet run -c Release --project bench/Rill.Benchmarks -- search [MB] [codecs]   (console search prefilter per codec)
if (args is ["produce", ..])
{
    Rill.Benchmarks.ProduceBench.Run(args);
    return;
}
if (args is ["search", ..])
{
    Rill.Benchmarks.ConsoleSearchThroughput.Run(args); // the console's search prefilter per codec
    return;
}
if (args is ["cleaner", ..])
{
    Rill.Benchmarks.CleanerThroughput.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
