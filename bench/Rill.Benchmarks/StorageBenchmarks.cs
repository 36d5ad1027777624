using BenchmarkDotNet.Attributes;
using Rill.Storage;

namespace Rill.Benchmarks;

/// <summary>
/// The produce-append and fetch-read hot paths of the partition log. Both must allocate nothing
/// per operation; [MemoryDiagnoser] reports it.
/// </summary>
[MemoryDiagnoser]
public class StorageBenchmarks
{
    private string _dir = "";
    private PartitionLog _appendLog = null!;
    private PartitionLog _readLog = null!;
    private byte[] _batch = [];
    private byte[] _readBuffer = [];
    private long _readOffset;

    /// <summary>Records per batch (100-byte values, as librdkafka's rdkafka_performance sends them).</summary>
    [Params(1, 100)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("rill-bench-").FullName;
        var config = new LogConfig { SegmentBytes = 256 * 1024 * 1024 };
        _appendLog = PartitionLog.Open(Path.Combine(_dir, "append-0"), config);
        _readLog = PartitionLog.Open(Path.Combine(_dir, "read-0"), config);
        _batch = BenchBatch.Create(Records, valueSize: 100);
        for (int i = 0; i < 1000; i++)
        {
            _readLog.Append(_batch.AsSpan().ToArray());
        }
        _readBuffer = new byte[1024 * 1024];
    }

    private const int AppendsPerInvoke = 1000;

    [IterationCleanup(Target = nameof(Append))]
    public void ResetAppendLog() => _appendLog.TruncateTo(0);

    /// <summary>One append of a batch (offset patch, producer-state check, one write syscall, index update).</summary>
    [Benchmark(OperationsPerInvoke = AppendsPerInvoke)]
    public long Append()
    {
        long last = 0;
        for (int i = 0; i < AppendsPerInvoke; i++)
        {
            last = _appendLog.Append(_batch).LastOffset;
        }
        return last;
    }

    /// <summary>One fetch read: locate the batch holding an offset, then copy up to 64 KiB of whole batches.</summary>
    [Benchmark]
    public int Read()
    {
        _readOffset = (_readOffset + Records * 7) % _readLog.LogEndOffset;
        LogReadResult result = _readLog.Read(_readOffset, 64 * 1024, minOneBatch: true);
        return result.CopyTo(_readBuffer);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _appendLog.Dispose();
        _readLog.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
