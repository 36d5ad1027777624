using BenchmarkDotNet.Attributes;
using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>
/// Parsing a produced record batch: the header checks, CRC-32C and the walk over every record that
/// produce does before appending. Allocation-free.
/// </summary>
[MemoryDiagnoser]
public class RecordBatchBenchmarks
{
    private byte[] _batch = [];

    /// <summary>Records per batch (100-byte values).</summary>
    [Params(1, 100)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup() => _batch = BenchBatch.Create(Records, valueSize: 100);

    [Benchmark]
    public int Validate() => RecordBatchValidator.Validate(_batch, requireKeys: false).RecordCount;
}
