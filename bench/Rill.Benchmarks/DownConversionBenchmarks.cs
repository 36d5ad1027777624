using System.Buffers;
using BenchmarkDotNet.Attributes;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>
/// Fetch v0-3: converting stored magic-2 batches (10 batches of 100 records, 100-byte values) into a
/// magic 1 message set, uncompressed and from lz4 batches. The output buffer is reused, so what is
/// allocated is the converter's own (one decompression buffer per call for compressed input).
/// </summary>
[MemoryDiagnoser]
public class DownConversionBenchmarks
{
    private byte[] _batches = [];
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);

    [Params(CompressionType.None, CompressionType.Lz4)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        byte[] value = new byte[100];
        for (int i = 0; i < value.Length; i++)
        {
            value[i] = (byte)('a' + i % 26);
        }
        var batches = new List<byte>();
        for (int b = 0; b < 10; b++)
        {
            var records = Enumerable.Range(0, 100).Select(i => new RecordData(now, null, value)).ToList();
            batches.AddRange(RecordBatchBuilder.Build(records, new BatchOptions(BaseOffset: b * 100, Compression: Codec)));
        }
        _batches = [.. batches];
    }

    [Benchmark]
    public int ThousandRecordsToMagic1()
    {
        _output.Clear();
        return RecordDownConverter.Convert(_batches, 0, 1, int.MaxValue, false, true, _output).Messages;
    }
}
