using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Rill.Broker;
using Rill.Broker.Config;
using Rill.Broker.Handlers;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>
/// One Produce v9 request (acks=all) through the Produce handler, without sockets: validation (CRC-32C, the
/// record walk), the append (offset patch, one pwrite per partition, indexes, producer state) and the response.
/// One batch per partition, as librdkafka sends them; 64 KB of 100-byte records per request here (the log grows by
/// that much per operation), 1 MB per request in the `-- produce` mode. Budgeted in bench/allocation-budgets.json
/// (per request: the response objects; nothing per record or per byte).
/// </summary>
[MemoryDiagnoser]
public class ProduceBenchmarks
{
    private ProduceBench _bench = null!;

    [Params(1, 16)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup() => _bench = new ProduceBench(Partitions, 100, requestBytes: 64 * 1024);

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [Benchmark]
    public object? Produce() => _bench.Send();
}

/// <summary>A broker with one topic and a prebuilt Produce request for it, driven through the handler.</summary>
public sealed class ProduceBench : IDisposable
{
    private readonly string _dir;
    private readonly KafkaBroker _broker;
    private readonly IApiHandler _produce;
    private readonly ProduceRequest _request;
    private readonly RequestContext _context = new() { ApiKey = ApiKey.Produce, ApiVersion = 9, CorrelationId = 1, ConnectionId = "bench" };

    public ProduceBench(int partitions, int valueSize, string? root = null, int requestBytes = 1_000_000)
    {
        _dir = root is null ? Directory.CreateTempSubdirectory("rill-bench-produce-").FullName
            : Directory.CreateDirectory(Path.Combine(root, $"rill-bench-produce-{Guid.NewGuid():N}")).FullName;
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["log.dirs"] = _dir,
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["offsets.topic.num.partitions"] = "1",
        });
        _broker = new KafkaBroker(config);
        _broker.StartAsync().GetAwaiter().GetResult();
        if (_broker.Topics.Create("produced", partitions, 1, [], validateOnly: false).Error is var error and not ErrorCode.None)
        {
            throw new InvalidOperationException($"creating the topic failed: {error}");
        }
        _produce = _broker.Handlers.Find((short)ApiKey.Produce)!;
        int records = Math.Max(1, requestBytes / partitions / (valueSize + 10));
        RecordsPerRequest = records * partitions;
        byte[] value = new byte[valueSize];
        Random.Shared.NextBytes(value);
        _request = new ProduceRequest { Acks = -1, TimeoutMs = 30_000 };
        var topic = new ProduceRequest.TopicProduceData { Name = "produced" };
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (int p = 0; p < partitions; p++)
        {
            var data = Enumerable.Range(0, records).Select(i => new RecordData(now + i / 100, null, value)).ToList();
            byte[] batch = RecordBatchBuilder.Build(data);
            RequestBytesActual += batch.Length;
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = p, Records = batch });
        }
        _request.TopicData.Add(topic);
    }

    public int RecordsPerRequest { get; }
    public long RequestBytesActual { get; }

    public object? Send()
    {
        var response = (ProduceResponse)_produce.HandleAsync(_context, _request).AsTask().GetAwaiter().GetResult()!;
        foreach (var p in response.Responses[0].PartitionResponses)
        {
            if (p.ErrorCode != 0) throw new InvalidOperationException($"partition {p.Index}: error {p.ErrorCode}");
        }
        return response;
    }

    public void Dispose()
    {
        _broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// `-- produce`: CPU time per GB and per request of the produce path for each shape, measured on this process's
    /// CPU counters (which a loaded machine does not inflate the way it does wall time), and bytes allocated per
    /// request. Logs go to ROOT (default: the temp dir; /dev/shm takes the disk out of the figure).
    /// </summary>
    public static void Run(string[] args)
    {
        string? root = Environment.GetEnvironmentVariable("ROOT");
        int requests = int.TryParse(Environment.GetEnvironmentVariable("REQUESTS"), out int r) ? r : 300;
        Console.WriteLine("| shape | records/request | request bytes | CPU ms per request | user CPU s per GB | kernel CPU s per GB | user ns per record | allocated B per request |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach ((int partitions, int size) in new[] { (1, 100), (16, 100), (1, 1024), (16, 1024) })
        {
            if (args.Length > 1 && !args.Contains($"{size}x{partitions}")) continue; // e.g. `produce 1024x16`
            using var bench = new ProduceBench(partitions, size, root);
            for (int i = 0; i < 100; i++) bench.Send(); // warm-up (tiering)
            double bestUser = double.MaxValue, bestKernel = double.MaxValue;
            long allocated = 0;
            using var process = Process.GetCurrentProcess();
            for (int round = 0; round < 3; round++)
            {
                process.Refresh();
                TimeSpan user0 = process.UserProcessorTime, kernel0 = process.PrivilegedProcessorTime;
                long alloc0 = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < requests; i++) bench.Send();
                allocated = (GC.GetAllocatedBytesForCurrentThread() - alloc0) / requests;
                process.Refresh();
                bestUser = Math.Min(bestUser, (process.UserProcessorTime - user0).TotalMilliseconds / requests);
                bestKernel = Math.Min(bestKernel, (process.PrivilegedProcessorTime - kernel0).TotalMilliseconds / requests);
            }
            double gb = bench.RequestBytesActual / 1e9;
            Console.WriteLine($"| {size} B x {partitions} p | {bench.RecordsPerRequest} | {bench.RequestBytesActual} | {bestUser + bestKernel:F3} | "
                + $"{bestUser / 1000 / gb:F3} | {bestKernel / 1000 / gb:F3} | {bestUser * 1e6 / bench.RecordsPerRequest:F0} | {allocated} |");
        }
    }
}
