using BenchmarkDotNet.Attributes;
using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>CRC-32C over a buffer of one record (100 B), a 1 KB record, and 16 KB and 100 KB batches.</summary>
public class Crc32CBenchmarks
{
    private byte[] _data = [];

    [Params(100, 1024, 16384, 102400)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(16).NextBytes(_data);
    }

    [Benchmark]
    public uint Compute() => Crc32C.Compute(_data);
}
