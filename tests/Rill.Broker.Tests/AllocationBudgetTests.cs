using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Rill.Broker.Config;
using Rill.Broker.Network;
using Rill.Coordination.Groups;
using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Broker.Tests;

/// <summary>
/// The hot paths against bench/allocation-budgets.json (bytes per operation), the same file that
/// bench/check-allocations.sh compares with BenchmarkDotNet's Allocated column. Allocation counts
/// are deterministic, so this runs in CI; no timing is asserted anywhere here.
/// </summary>
[Collection(AllocationBudgetCollection.Name)]
public sealed class AllocationBudgetTests : IDisposable
{
    private const int Operations = 2_000;
    private static readonly Dictionary<string, long> Budgets = LoadBudgets();
    private readonly string _dir = Directory.CreateTempSubdirectory("rill-alloc-budget-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Dictionary<string, long> LoadBudgets()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "bench", "allocation-budgets.json")));
        return doc.RootElement.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Number)
            .ToDictionary(p => p.Name, p => p.Value.GetInt64());
    }

    /// <summary>
    /// Runs the operation to warm up, then N more times; asserts the bytes per operation against the
    /// budget. With <paramref name="allThreads"/> every thread of the process is counted, so anything
    /// else running adds to the figure: the class runs alone (its collection is not parallelised)
    /// and the lowest of three measurements counts.
    /// </summary>
    private static void AssertWithinBudget(string name, Action operation, bool allThreads = false, int operations = Operations, int warmUp = 500)
    {
        Assert.True(Budgets.TryGetValue(name, out long budget), $"no budget for {name} in bench/allocation-budgets.json");
        for (int i = 0; i < warmUp; i++)
        {
            operation();
        }
        double lowest = double.MaxValue;
        for (int attempt = 0; attempt < (allThreads ? 3 : 1); attempt++)
        {
            long before = allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < operations; i++)
            {
                operation();
            }
            long after = allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
            lowest = Math.Min(lowest, (after - before) / (double)operations);
        }
        Assert.True(lowest <= budget, $"{name}: {lowest:F1} bytes per operation, budget {budget}");
    }

    private static byte[] Batch(int records, int valueSize = 100)
    {
        byte[] value = new byte[valueSize];
        Array.Fill(value, (byte)'v');
        var data = Enumerable.Range(0, records).Select(_ => new RecordData(1_700_000_000_000, null, value)).ToList();
        return RecordBatchBuilder.Build(data);
    }

    [Fact]
    public void Framing_find_stays_within_budget()
    {
        byte[] frame = new byte[4 + 1024];
        BinaryPrimitives.WriteInt32BigEndian(frame, 1024);
        var contiguous = new ReadOnlySequence<byte>(frame);
        AssertWithinBudget("FramingBenchmarks.Contiguous", () => FrameDecoder.TryRead(contiguous, 1 << 20, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void PartitionLog_append_stays_within_budget(int records)
    {
        using PartitionLog log = PartitionLog.Open(Path.Combine(_dir, $"append-{records}"), new LogConfig { SegmentBytes = 512 * 1024 * 1024 });
        byte[] batch = Batch(records);
        AssertWithinBudget($"StorageBenchmarks.Append(Records={records})", () => log.Append(batch));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void PartitionLog_read_and_copy_stays_within_budget(int records)
    {
        using PartitionLog log = PartitionLog.Open(Path.Combine(_dir, $"read-{records}"), new LogConfig { SegmentBytes = 256 * 1024 * 1024 });
        byte[] batch = Batch(records);
        for (int i = 0; i < 1000; i++)
        {
            log.Append(batch.AsSpan().ToArray());
        }
        byte[] buffer = new byte[1024 * 1024];
        long offset = 0;
        AssertWithinBudget($"StorageBenchmarks.Read(Records={records})", () =>
        {
            offset = (offset + records * 7) % log.LogEndOffset;
            log.Read(offset, 64 * 1024, minOneBatch: true).CopyTo(buffer);
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void Record_batch_parse_and_iterate_stays_within_budget(int records)
    {
        byte[] batch = Batch(records);
        Assert.Equal(records, RecordBatchValidator.Validate(batch, requireKeys: false).RecordCount);
        AssertWithinBudget($"RecordBatchBenchmarks.Validate(Records={records})", () => RecordBatchValidator.Validate(batch, requireKeys: false));
        byte[] batch1K = Batch(records, valueSize: 1000);
        Assert.Equal(records, RecordBatchValidator.Validate(batch1K, requireKeys: false).RecordCount);
        AssertWithinBudget($"RecordBatchBenchmarks.Validate1K(Records={records})", () => RecordBatchValidator.Validate(batch1K, requireKeys: false));
    }

    [Fact]
    public void Crc32C_stays_within_budget()
    {
        byte[] data = new byte[102400];
        new Random(16).NextBytes(data);
        AssertWithinBudget("Crc32CBenchmarks.Compute(Size=102400)", () => Crc32C.Compute(data));
    }

    [Fact]
    public async Task Group_commit_stays_within_budget()
    {
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["log.dirs"] = Path.Combine(_dir, "broker"),
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["offsets.topic.num.partitions"] = "1",
        });
        await using var broker = new KafkaBroker(config);
        await broker.StartAsync();
        await broker.GroupsLoaded;
        var offsets = new List<(string Topic, int Partition, CommittedOffset Offset)> { ("t", 0, default) };
        long next = 0;
        // The commit continues on the group's executor and the log writer, so all threads are counted
        // (the broker is otherwise idle: no client is connected).
        AssertWithinBudget("GroupBenchmarks.CommitOnePartition", () =>
        {
            offsets[0] = ("t", 0, new CommittedOffset(++next, -1, "", 0));
            ErrorCode error = broker.Groups.CommitAsync("budget", -1, "", null, offsets).GetAwaiter().GetResult();
            Assert.Equal(ErrorCode.None, error);
        }, allThreads: true);
    }

    /// <summary>
    /// A consumer of 100 empty partitions: a sessionless full fetch against an incremental fetch of its fetch
    /// session (KIP-227), through the Fetch handler (bench/Rill.Benchmarks/FetchSessionBenchmarks).
    /// </summary>
    [Fact]
    public async Task Fetch_full_and_incremental_stay_within_budget()
    {
        const int partitions = 100;
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["log.dirs"] = Path.Combine(_dir, "fetch-broker"),
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["offsets.topic.num.partitions"] = "1",
        });
        await using var broker = new KafkaBroker(config);
        await broker.StartAsync();
        Assert.Equal(ErrorCode.None, broker.Topics.Create("fetched", partitions, 1, [], validateOnly: false).Error);
        var fetch = broker.Handlers.Find((short)ApiKey.Fetch)!;
        Protocol.Messages.FetchResponse Send(Protocol.Messages.FetchRequest request) => (Protocol.Messages.FetchResponse)fetch.HandleAsync(
            new Handlers.RequestContext { ApiKey = ApiKey.Fetch, ApiVersion = 12, CorrelationId = 1, ConnectionId = "budget" }, request)
            .AsTask().GetAwaiter().GetResult()!;
        Protocol.Messages.FetchRequest Full(int epoch)
        {
            var request = new Protocol.Messages.FetchRequest { MaxWaitMs = 0, MinBytes = 0, SessionEpoch = epoch };
            var topic = new Protocol.Messages.FetchRequest.FetchTopic { Topic = "fetched" };
            for (int i = 0; i < partitions; i++)
            {
                topic.Partitions.Add(new Protocol.Messages.FetchRequest.FetchPartition { Partition = i, PartitionMaxBytes = 1 << 20 });
            }
            request.Topics.Add(topic);
            return request;
        }

        var full = Full(-1);
        AssertWithinBudget($"FetchSessionBenchmarks.Full(Partitions={partitions})", () => Assert.Equal(partitions, Send(full).Responses[0].Partitions.Count));
        var incremental = new Protocol.Messages.FetchRequest { MaxWaitMs = 0, MinBytes = 0, SessionId = Send(Full(0)).SessionId, SessionEpoch = 1 };
        AssertWithinBudget($"FetchSessionBenchmarks.Incremental(Partitions={partitions})", () =>
        {
            Assert.Empty(Send(incremental).Responses);
            incremental.SessionEpoch++;
        });
    }

    /// <summary>
    /// A long poll (MaxWaitMs 1) of one idle partition that times out, through the Fetch handler: the read, the
    /// arming of the append signal, the timed wait and the empty answer. Every idle consumer does this twice a
    /// second; the timeout used to throw a TimeoutException each time. Few operations: each waits about 1 ms.
    /// </summary>
    [Fact]
    public async Task Fetch_long_poll_timeout_stays_within_budget()
    {
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["log.dirs"] = Path.Combine(_dir, "poll-broker"),
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["offsets.topic.num.partitions"] = "1",
        });
        await using var broker = new KafkaBroker(config);
        await broker.StartAsync();
        Assert.Equal(ErrorCode.None, broker.Topics.Create("polled", 1, 1, [], validateOnly: false).Error);
        var fetch = broker.Handlers.Find((short)ApiKey.Fetch)!;
        var request = new Protocol.Messages.FetchRequest { MaxWaitMs = 1, MinBytes = 1, SessionEpoch = -1 };
        var topic = new Protocol.Messages.FetchRequest.FetchTopic { Topic = "polled" };
        topic.Partitions.Add(new Protocol.Messages.FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1 << 20 });
        request.Topics.Add(topic);
        AssertWithinBudget("FetchLongPoll.TimedOut(Partitions=1)", () =>
        {
            var response = (Protocol.Messages.FetchResponse)fetch.HandleAsync(
                new Handlers.RequestContext { ApiKey = ApiKey.Fetch, ApiVersion = 12, CorrelationId = 1, ConnectionId = "budget" }, request)
                .AsTask().GetAwaiter().GetResult()!;
            Assert.Equal(0, response.Responses[0].Partitions[0].Records?.Length ?? 0);
        }, allThreads: true, operations: 200, warmUp: 50);
    }
}

/// <summary>Allocation budgets run after, not beside, the other tests: one of them counts every thread.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationBudgetCollection
{
    public const string Name = "allocation budgets";

}
