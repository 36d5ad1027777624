using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>
/// The snappy, lz4 and zstd codecs Rill ships (managed: Snappier, K4os, ZstdSharp) against the ones
/// it used before (IronSnappy, system liblz4 and libzstd through P/Invoke), compressing and
/// decompressing a record batch of about 1 KB and about 1 MB: JSON-like values with keys,
/// timestamps and ids that repeat in part, as in a producer's batch.
/// Run: dotnet run -c Release --project bench/Rill.Benchmarks -- --filter '*CodecBenchmarks*' --job short
/// (the native side needs liblz4.so.1 and libzstd.so.1).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private byte[] _plain = [];
    private byte[] _compressed = [];
    private readonly ArrayBufferWriter<byte> _output = new(2 << 20);

    /// <summary>The codec.</summary>
    [Params(CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    /// <summary>Managed (what Rill uses now) or Native (before: IronSnappy for snappy, system libraries for lz4/zstd).</summary>
    [Params("Managed", "Native")]
    public string Impl { get; set; } = "Managed";

    /// <summary>Approximate size of the uncompressed batch.</summary>
    [Params(1024, 1 << 20)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plain = RealisticBatch(Size);
        var compressed = new ArrayBufferWriter<byte>();
        Compress(_plain, compressed);
        _compressed = compressed.WrittenSpan.ToArray();
        var check = new ArrayBufferWriter<byte>();
        Decompress(_compressed, check);
        if (!check.WrittenSpan.SequenceEqual(_plain))
        {
            throw new InvalidOperationException($"{Codec}/{Impl} does not round-trip.");
        }
        Console.WriteLine($"// {Codec} {Impl} {Size}: {_plain.Length} -> {_compressed.Length} bytes");
    }

    [Benchmark]
    public int Compress()
    {
        _output.ResetWrittenCount();
        Compress(_plain, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Decompress()
    {
        _output.ResetWrittenCount();
        Decompress(_compressed, _output);
        return _output.WrittenCount;
    }

    private void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        switch (Impl, Codec)
        {
            case ("Native", CompressionType.Snappy): IronSnappyXerial.Compress(input, output); break;
            case ("Native", CompressionType.Lz4): NativeLz4Frame.Compress(input, output); break;
            case ("Native", CompressionType.Zstd): NativeZstd.Compress(input, output); break;
            default: Codecs.Compress(Codec, input, output); break;
        }
    }

    private void Decompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        const int Limit = 16 << 20;
        switch (Impl, Codec)
        {
            case ("Native", CompressionType.Snappy): IronSnappyXerial.Decompress(input, output, Limit); break;
            case ("Native", CompressionType.Lz4): NativeLz4Frame.Decompress(input, output, Limit); break;
            case ("Native", CompressionType.Zstd): NativeZstd.Decompress(input, output, Limit); break;
            default: Codecs.Decompress(Codec, input, output, Limit); break;
        }
    }

    /// <summary>A records area of about <paramref name="size"/> bytes: keyed JSON events of varying content.</summary>
    internal static byte[] RealisticBatch(int size)
    {
        var random = new Random(42);
        string[] cities = ["berlin", "paris", "lisbon", "oslo", "rome", "vienna"];
        string[] states = ["requested", "accepted", "started", "completed", "cancelled"];
        long now = 1_760_000_000_000;
        var records = new List<RecordData>();
        int total = 61;   // batch header
        while (total < size)
        {
            int rider = random.Next(100_000);
            byte[] id = new byte[16];
            random.NextBytes(id);
            string json = $"{{\"rideId\":\"{new Guid(id):N}\",\"rider\":{rider},\"city\":\"{cities[random.Next(cities.Length)]}\"," +
                $"\"state\":\"{states[random.Next(states.Length)]}\",\"lat\":{48 + random.NextDouble():F6},\"lon\":{2 + random.NextDouble():F6}," +
                $"\"fare\":{random.Next(500, 9000) / 100.0:F2},\"ts\":{now}}}";
            byte[] key = Encoding.ASCII.GetBytes($"rider-{rider:D7}");
            byte[] value = Encoding.UTF8.GetBytes(json);
            records.Add(new RecordData(now, key, value));
            now += random.Next(5);
            total += key.Length + value.Length + 12;
        }
        return RecordBatchBuilder.Build(records);
    }
}
