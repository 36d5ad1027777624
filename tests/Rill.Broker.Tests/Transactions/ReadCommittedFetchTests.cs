using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using Rill.Storage;
using Rill.Storage.Producers;

namespace Rill.Broker.Tests.Transactions;

/// <summary>
/// Fetch and ListOffsets with isolation level read_committed over the wire. Transactional batches and markers are
/// appended to the partition's log as the transaction coordinator's marker writer does (the produce path for
/// transactional ids belongs to the coordinator's work); reads go through the protocol.
/// </summary>
public sealed class ReadCommittedFetchTests : BrokerTestBase
{
    private const long P1 = 5001, P2 = 5002;
    private const sbyte ReadCommitted = 1;

    private PartitionLog Log(string topic) => Broker.Host.Broker.Topics.Find(topic)!.Partitions[0].Log;

    private static byte[] TxnBatch(long pid, int seq, int records, string prefix)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var data = Enumerable.Range(0, records)
            .Select(i => new RecordData(now, System.Text.Encoding.UTF8.GetBytes($"k{i}"), System.Text.Encoding.UTF8.GetBytes($"{prefix}{i}")))
            .ToList();
        return RecordBatchBuilder.Build(data, new BatchOptions(ProducerId: pid, ProducerEpoch: 0, BaseSequence: seq, Transactional: true));
    }

    private static void AppendOk(PartitionLog log, byte[] batch) => Assert.Equal(ErrorCode.None, log.Append(batch).Error);

    private static byte[] Marker(long pid, bool commit)
        => ControlRecord.BuildMarker(pid, 0, commit, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private static async Task<FetchResponse.PartitionData> FetchAsync(WireClient client, string topic, long offset, sbyte isolation,
        short version = 12, int maxWaitMs = 0, int minBytes = 1)
    {
        FetchRequest request = Fetch(topic, 0, offset, maxWaitMs, minBytes);
        request.IsolationLevel = isolation;
        var response = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, version, request);
        return response.Responses[0].Partitions[0];
    }

    private static async Task<long> ListLatestAsync(WireClient client, string topic, sbyte isolation, short version = 7)
    {
        var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = isolation };
        var t = new ListOffsetsRequest.ListOffsetsTopic { Name = topic };
        t.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 });
        request.Topics.Add(t);
        var response = await client.RequestAsync<ListOffsetsResponse>(ApiKey.ListOffsets, version, request);
        var p = response.Topics[0].Partitions[0];
        Assert.Equal(0, p.ErrorCode);
        return p.Offset;
    }

    [Fact]
    public async Task Read_committed_stops_at_the_last_stable_offset_and_read_uncommitted_does_not()
    {
        await using WireClient client = await ConnectAsync();
        await CreateTopicAsync(client, "rc-lso");
        PartitionLog log = Log("rc-lso");
        Assert.Equal(0, (await ProduceAsync(client, "rc-lso", 0, Batch(2))).ErrorCode); // 0-1
        AppendOk(log, TxnBatch(P1, 0, 3, "t"));                                          // 2-4, open
        Assert.Equal(0, (await ProduceAsync(client, "rc-lso", 0, Batch(1))).ErrorCode); // 5

        var committed = await FetchAsync(client, "rc-lso", 0, ReadCommitted);
        Assert.Equal(0, committed.ErrorCode);
        Assert.Equal(6, committed.HighWatermark);
        Assert.Equal(2, committed.LastStableOffset);
        Assert.Equal([0L], BatchBaseOffsets(committed.Records));
        Assert.NotNull(committed.AbortedTransactions);
        Assert.Empty(committed.AbortedTransactions!);

        var atLso = await FetchAsync(client, "rc-lso", 2, ReadCommitted);
        Assert.Equal(0, atLso.ErrorCode);
        Assert.Empty(BatchBaseOffsets(atLso.Records));

        var uncommitted = await FetchAsync(client, "rc-lso", 0, isolation: 0);
        Assert.Equal([0L, 2, 5], BatchBaseOffsets(uncommitted.Records));
        Assert.Equal(2, uncommitted.LastStableOffset);
        Assert.Null(uncommitted.AbortedTransactions);

        Assert.Equal(2, await ListLatestAsync(client, "rc-lso", ReadCommitted));
        Assert.Equal(6, await ListLatestAsync(client, "rc-lso", isolation: 0));

        AppendOk(log, Marker(P1, commit: true)); // 6
        var after = await FetchAsync(client, "rc-lso", 0, ReadCommitted);
        Assert.Equal(7, after.LastStableOffset);
        Assert.Equal([0L, 2, 5, 6], BatchBaseOffsets(after.Records));
        Assert.Empty(after.AbortedTransactions!);
        Assert.Equal(7, await ListLatestAsync(client, "rc-lso", ReadCommitted, version: 2));
    }

    [Fact]
    public async Task An_aborted_transaction_is_listed_for_the_fetched_range_only()
    {
        await using WireClient client = await ConnectAsync();
        await CreateTopicAsync(client, "rc-abort");
        PartitionLog log = Log("rc-abort");
        AppendOk(log, TxnBatch(P1, 0, 2, "a"));   // 0-1
        AppendOk(log, TxnBatch(P2, 0, 2, "c"));   // 2-3
        AppendOk(log, Marker(P1, commit: false)); // 4
        AppendOk(log, Marker(P2, commit: true));  // 5
        Assert.Equal(0, (await ProduceAsync(client, "rc-abort", 0, Batch(1))).ErrorCode); // 6

        var all = await FetchAsync(client, "rc-abort", 0, ReadCommitted);
        Assert.Equal(7, all.LastStableOffset);
        Assert.Equal([0L, 2, 4, 5, 6], BatchBaseOffsets(all.Records));
        var aborted = Assert.Single(all.AbortedTransactions!);
        Assert.Equal((P1, 0L), (aborted.ProducerId, aborted.FirstOffset));

        var later = await FetchAsync(client, "rc-abort", 5, ReadCommitted);
        Assert.Equal([5L, 6], BatchBaseOffsets(later.Records));
        Assert.Empty(later.AbortedTransactions!);

        // Fetch v4 (the first with isolation levels) reads the same.
        var v4 = await FetchAsync(client, "rc-abort", 0, ReadCommitted, version: 4);
        Assert.Single(v4.AbortedTransactions!);
        Assert.Equal(7, v4.LastStableOffset);
    }

    [Fact]
    public async Task A_read_committed_long_poll_at_the_lso_is_woken_by_the_commit_marker()
    {
        await using WireClient client = await ConnectAsync();
        await CreateTopicAsync(client, "rc-poll");
        PartitionLog log = Log("rc-poll");
        AppendOk(log, TxnBatch(P1, 0, 2, "t")); // 0-1, open

        // read_uncommitted has its bytes at once.
        var uncommitted = await FetchAsync(client, "rc-poll", 0, isolation: 0, maxWaitMs: 30_000, minBytes: 1);
        Assert.Equal([0L], BatchBaseOffsets(uncommitted.Records));

        // read_committed has nothing below the LSO: it waits, and the commit marker wakes it long before MaxWaitMs.
        var partition = Broker.Host.Broker.Topics.Find("rc-poll")!.Partitions[0];
        var started = System.Diagnostics.Stopwatch.StartNew();
        Task<FetchResponse.PartitionData> poll = FetchAsync(client, "rc-poll", 0, ReadCommitted, maxWaitMs: 30_000, minBytes: 1);
        await Eventually.TrueAsync(() => partition.Appended.HasWaiters, "the read_committed fetch waits");
        AppendOk(log, Marker(P1, commit: true));
        var result = await poll.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20));
        Assert.Equal(3, result.LastStableOffset);
        Assert.Equal([0L, 2], BatchBaseOffsets(result.Records));
    }

    [Fact]
    public async Task A_read_committed_timestamp_lookup_finds_only_offsets_below_the_lso()
    {
        await using WireClient client = await ConnectAsync();
        await CreateTopicAsync(client, "rc-ts");
        PartitionLog log = Log("rc-ts");
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        AppendOk(log, TxnBatch(P1, 0, 2, "t")); // 0-1, open; its records carry "now"

        async Task<long> LookupAsync(sbyte isolation)
        {
            var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = isolation };
            var t = new ListOffsetsRequest.ListOffsetsTopic { Name = "rc-ts" };
            t.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = before });
            request.Topics.Add(t);
            var response = await client.RequestAsync<ListOffsetsResponse>(ApiKey.ListOffsets, 7, request);
            return response.Topics[0].Partitions[0].Offset;
        }

        Assert.Equal(0, await LookupAsync(isolation: 0));
        Assert.Equal(-1, await LookupAsync(ReadCommitted));
        AppendOk(log, Marker(P1, commit: true));
        Assert.Equal(0, await LookupAsync(ReadCommitted));
    }
}
