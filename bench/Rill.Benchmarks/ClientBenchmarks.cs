using BenchmarkDotNet.Attributes;
using Rill.Client;
using Rill.Client.Consuming;
using Rill.Client.Producing;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>
/// Rill.Client's per-record hot paths: appending a record into a pooled batch buffer, choosing a
/// partition with murmur2, sealing a batch (header + CRC-32C), and parsing records out of a fetched
/// batch with spans. Each figure is per record (OperationsPerInvoke); all are allocation-free per record.
/// </summary>
[MemoryDiagnoser]
public class ClientBenchmarks
{
    private const int Records = 1000;
    private readonly byte[] _key = "rider-0000001234"u8.ToArray();
    private readonly byte[] _value = new byte[100];
    private byte[] _fetched = [];
    private PartitionState _state = null!;

    [GlobalSetup]
    public void Setup()
    {
        var records = Enumerable.Range(0, Records).Select(i => new RecordData(1_700_000_000_000 + i, _key, _value)).ToList();
        _fetched = RecordBatchBuilder.Build(records, new BatchOptions(BaseOffset: 5000));
        _state = new PartitionState(new TopicPartition("rides", 0)) { Position = 5000 };
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int AppendRecord()
    {
        var batch = new ProducerBatch("rides", 0, 256 * 1024, 0);
        for (int i = 0; i < Records; i++)
        {
            batch.TryAppend(1_700_000_000_000 + i, _key, true, _value, true, null, null);
        }
        int count = batch.Count;
        batch.Release();
        return count;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int AppendAndSeal()
    {
        var batch = new ProducerBatch("rides", 0, 256 * 1024, 0);
        for (int i = 0; i < Records; i++)
        {
            batch.TryAppend(1_700_000_000_000 + i, _key, true, _value, true, null, null);
        }
        batch.BaseSequence = 0;
        int length = batch.Seal(CompressionType.None, 1, 0).Length;
        batch.Release();
        return length;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public int Murmur2Partition()
    {
        int sum = 0;
        for (int i = 0; i < Records; i++)
        {
            sum += Murmur2Partitioner.Partition(_key, 12);
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long ParseRecords()
    {
        var fetched = new FetchedRecords(_state, 0, _fetched);
        long sum = 0;
        while (fetched.TryNext(out RecordView record))
        {
            sum += record.Offset + record.Value!.Value.Length;
        }
        return sum;
    }
}
