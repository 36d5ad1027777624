using BenchmarkDotNet.Attributes;
using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>
/// Parsing a produced record batch: the header checks, CRC-32C and the walk over every record that
/// produce does before appending, with 100-byte and 1 KB values. Allocation-free.
/// </summary>
[MemoryDiagnoser]
public class RecordBatchBenchmarks
{
    private byte[] _batch = [];
    private byte[] _batch1K = [];

    /// <summary>Records per batch.</summary>
    [Params(1, 100)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = BenchBatch.Create(Records, valueSize: 100);
        _batch1K = BenchBatch.Create(Records, valueSize: 1000);
    }

    [Benchmark]
    public int Validate() => RecordBatchValidator.Validate(_batch, requireKeys: false).RecordCount;

    [Benchmark]
    public int Validate1K() => RecordBatchValidator.Validate(_batch1K, requireKeys: false).RecordCount;
}
