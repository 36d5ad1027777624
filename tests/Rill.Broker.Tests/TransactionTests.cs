using System.Buffers.Binary;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests;

/// <summary>The transaction coordinator behind the real handlers, over the wire, against an EmbeddedBroker.</summary>
public class TransactionTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["transaction.state.log.num.partitions"] = "5",
        ["offsets.topic.num.partitions"] = "3",
        ["transaction.abort.timed.out.transaction.cleanup.interval.ms"] = "100",
        ["group.initial.rebalance.delay.ms"] = "0",
    };

    internal static byte[] TxnBatch(long producerId, short epoch, int sequence, params string[] values)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return RecordBatchBuilder.Build(values.Select(v => new RecordData(now, null, System.Text.Encoding.UTF8.GetBytes(v))).ToList(),
            new BatchOptions(ProducerId: producerId, ProducerEpoch: epoch, BaseSequence: sequence, Transactional: true));
    }

    internal static async Task<(long ProducerId, short Epoch)> InitAsync(WireClient client, string id, int timeoutMs = 60_000, ErrorCode expected = ErrorCode.None)
    {
        for (int attempt = 0; ; attempt++)
        {
            var response = await client.RequestAsync<InitProducerIdResponse>(ApiKey.InitProducerId, 4,
                new InitProducerIdRequest { TransactionalId = id, TransactionTimeoutMs = timeoutMs });
            if (response.ErrorCode == (short)ErrorCode.ConcurrentTransactions && attempt < 100)
            {
                await Task.Delay(50);
                continue;
            }
            Assert.Equal((short)expected, response.ErrorCode);
            return (response.ProducerId, response.ProducerEpoch);
        }
    }

    internal static async Task<short> AddPartitionsAsync(WireClient client, string id, long pid, short epoch, string topic, params int[] partitions)
    {
        var response = await client.RequestAsync<AddPartitionsToTxnResponse>(ApiKey.AddPartitionsToTxn, 3, new AddPartitionsToTxnRequest
        {
            V3AndBelowTransactionalId = id, V3AndBelowProducerId = pid, V3AndBelowProducerEpoch = epoch,
            V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopicV3 { Name = topic, Partitions = [.. partitions] }],
        });
        return response.ResultsByTopicV3AndBelow[0].ResultsByPartition[0].PartitionErrorCode;
    }

    internal static async Task<short> EndAsync(WireClient client, string id, long pid, short epoch, bool commit)
        => (await client.RequestAsync<EndTxnResponse>(ApiKey.EndTxn, 3,
            new EndTxnRequest { TransactionalId = id, ProducerId = pid, ProducerEpoch = epoch, Committed = commit })).ErrorCode;

    internal static async Task<ProduceResponse.PartitionProduceResponse> ProduceTxnAsync(WireClient client, string id, string topic, int partition, byte[] batch)
    {
        var request = Produce(topic, partition, batch);
        request.TransactionalId = id;
        return (await client.RequestAsync<ProduceResponse>(ApiKey.Produce, 9, request)).Responses[0].PartitionResponses[0];
    }

    internal static async Task<DescribeTransactionsResponse.DescribedTransaction> DescribeAsync(WireClient client, string id)
        => (await client.RequestAsync<DescribeTransactionsResponse>(ApiKey.DescribeTransactions, 0,
            new DescribeTransactionsRequest { TransactionalIds = [id] })).TransactionStates[0];

    /// <summary>The control batch at the end of the partition: (commit?, producer id, epoch, coordinator epoch).</summary>
    private async Task<(bool Commit, long ProducerId, short Epoch, int CoordinatorEpoch)> LastMarkerAsync(WireClient client, string topic, int partition, long offset)
    {
        var fetched = await FetchAsync(client, topic, partition, offset);
        byte[] bytes = fetched.Records!.Value.ToArray();
        ReadOnlySpan<byte> span = bytes;
        short attributes = BinaryPrimitives.ReadInt16BigEndian(span[RecordBatchLayout.Attributes..]);
        Assert.NotEqual(0, attributes & RecordBatchLayout.ControlFlag);
        Assert.NotEqual(0, attributes & RecordBatchLayout.TransactionalFlag);
        long pid = BinaryPrimitives.ReadInt64BigEndian(span[RecordBatchLayout.ProducerId..]);
        short epoch = BinaryPrimitives.ReadInt16BigEndian(span[RecordBatchLayout.ProducerEpoch..]);
        // One record: length, attributes, timestamp delta, offset delta, key length 4, key (version, type), value length 6, value.
        ReadOnlySpan<byte> body = span[RecordBatchLayout.HeaderSize..];
        int p = 0;
        Varint.TryReadVarInt(body, ref p, out _);
        p++;
        Varint.TryReadVarLong(body, ref p, out _);
        Varint.TryReadVarInt(body, ref p, out _);
        Varint.TryReadVarInt(body, ref p, out int keyLength);
        Assert.Equal(4, keyLength);
        short type = BinaryPrimitives.ReadInt16BigEndian(body[(p + 2)..]);
        p += keyLength;
        Varint.TryReadVarInt(body, ref p, out int valueLength);
        Assert.Equal(6, valueLength);
        int coordinatorEpoch = BinaryPrimitives.ReadInt32BigEndian(body[(p + 2)..]);
        return (type == 1, pid, epoch, coordinatorEpoch);
    }

    [Fact]
    public async Task A_transaction_commits_with_markers_and_a_new_init_fences_the_old_epoch()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "txn-a", 2);
        var found = await client.RequestAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, 4,
            new FindCoordinatorRequest { KeyType = 1, CoordinatorKeys = ["tx-a", "tx-b"] });
        Assert.All(found.Coordinators, c => Assert.Equal((0, Broker.Port), (c.ErrorCode, c.Port)));
        var found3 = await client.RequestAsync<FindCoordinatorResponse>(ApiKey.FindCoordinator, 3, new FindCoordinatorRequest { KeyType = 1, Key = "tx-a" });
        Assert.Equal((0, Broker.Port), (found3.ErrorCode, found3.Port));

        var (pid, epoch) = await InitAsync(client, "tx-a");
        Assert.Equal(0, epoch);

        // KIP-890 part 1: a transactional write to a partition not in the transaction is refused.
        var refused = await ProduceTxnAsync(client, "tx-a", "txn-a", 0, TxnBatch(pid, epoch, 0, "x"));
        Assert.Equal((short)ErrorCode.InvalidTxnState, refused.ErrorCode);
        Assert.Equal(0, (await FetchAsync(client, "txn-a", 0, 0)).HighWatermark);

        Assert.Equal(0, await AddPartitionsAsync(client, "tx-a", pid, epoch, "txn-a", 0));
        Assert.Equal(0, (await ProduceTxnAsync(client, "tx-a", "txn-a", 0, TxnBatch(pid, epoch, 0, "a", "b"))).ErrorCode);
        // Partition 1 is not in the transaction.
        Assert.Equal((short)ErrorCode.InvalidTxnState, (await ProduceTxnAsync(client, "tx-a", "txn-a", 1, TxnBatch(pid, epoch, 0, "c"))).ErrorCode);
        var ongoing = await DescribeAsync(client, "tx-a");
        Assert.Equal(("Ongoing", pid, epoch), (ongoing.TransactionState, ongoing.ProducerId, ongoing.ProducerEpoch));
        Assert.Equal("txn-a", Assert.Single(ongoing.Topics).Topic);

        Assert.Equal(0, await EndAsync(client, "tx-a", pid, epoch, commit: true));
        await Eventually.TrueAsync(async () => (await FetchAsync(client, "txn-a", 0, 0)).HighWatermark == 3, "commit marker on partition 0");
        var marker = await LastMarkerAsync(client, "txn-a", 0, 2);
        Assert.Equal((true, pid, epoch), (marker.Commit, marker.ProducerId, marker.Epoch));
        Assert.Equal(0, (await FetchAsync(client, "txn-a", 1, 0)).HighWatermark);
        await Eventually.TrueAsync(async () => (await DescribeAsync(client, "tx-a")).TransactionState == "CompleteCommit", "tx-a complete");
        // A retried commit is fine; an abort of the committed transaction is not.
        Assert.Equal(0, await EndAsync(client, "tx-a", pid, epoch, commit: true));
        Assert.Equal((short)ErrorCode.InvalidTxnState, await EndAsync(client, "tx-a", pid, epoch, commit: false));

        var listed = await client.RequestAsync<ListTransactionsResponse>(ApiKey.ListTransactions, 1,
            new ListTransactionsRequest { StateFilters = ["CompleteCommit", "Bogus"] });
        Assert.Contains(listed.TransactionStates, t => t.TransactionalId == "tx-a" && t.ProducerId == pid);
        Assert.Equal(["Bogus"], listed.UnknownStateFilters);

        // A new producer with the same id bumps the epoch: the old one is fenced.
        var (pid2, epoch2) = await InitAsync(client, "tx-a");
        Assert.Equal((pid, (short)1), (pid2, epoch2));
        Assert.Equal((short)ErrorCode.ProducerFenced, await AddPartitionsAsync(client, "tx-a", pid, epoch, "txn-a", 0));
        Assert.Equal(0, await AddPartitionsAsync(client, "tx-a", pid2, epoch2, "txn-a", 1));
        Assert.Equal((short)ErrorCode.ProducerFenced, (await ProduceTxnAsync(client, "tx-a", "txn-a", 1, TxnBatch(pid, epoch, 0, "zombie"))).ErrorCode);
        Assert.Equal(0, (await ProduceTxnAsync(client, "tx-a", "txn-a", 1, TxnBatch(pid2, epoch2, 0, "c"))).ErrorCode);
        Assert.Equal(0, await EndAsync(client, "tx-a", pid2, epoch2, commit: false));
        await Eventually.TrueAsync(async () => (await FetchAsync(client, "txn-a", 1, 0)).HighWatermark == 2, "abort marker on partition 1");
        Assert.False((await LastMarkerAsync(client, "txn-a", 1, 1)).Commit);

        // KIP-360: naming the current producer bumps again; naming an older epoch is fenced.
        var bumped = await client.RequestAsync<InitProducerIdResponse>(ApiKey.InitProducerId, 4,
            new InitProducerIdRequest { TransactionalId = "tx-a", TransactionTimeoutMs = 60_000, ProducerId = pid2, ProducerEpoch = epoch2 });
        Assert.Equal((0, pid, (short)2), (bumped.ErrorCode, bumped.ProducerId, bumped.ProducerEpoch));
        var stale = await client.RequestAsync<InitProducerIdResponse>(ApiKey.InitProducerId, 4,
            new InitProducerIdRequest { TransactionalId = "tx-a", TransactionTimeoutMs = 60_000, ProducerId = pid, ProducerEpoch = 0 });
        Assert.Equal((short)ErrorCode.ProducerFenced, stale.ErrorCode);
    }

    [Fact]
    public async Task A_commit_interrupted_before_its_markers_completes_after_a_restart()
    {
        string id = "tx-restart";
        long pid;
        short epoch;
        await using (var client = await ConnectAsync())
        {
            await CreateTopicAsync(client, "txn-restart", 2);
            (pid, epoch) = await InitAsync(client, id);
            Assert.Equal(0, await AddPartitionsAsync(client, id, pid, epoch, "txn-restart", 0, 1));
            Assert.Equal(0, (await ProduceTxnAsync(client, id, "txn-restart", 0, TxnBatch(pid, epoch, 0, "a"))).ErrorCode);
            Assert.Equal(0, (await ProduceTxnAsync(client, id, "txn-restart", 1, TxnBatch(pid, epoch, 0, "b"))).ErrorCode);
            // The decision is written, the markers cannot be: the coordinator stays PrepareCommit.
            Broker.Host.Broker.Transactions.Markers.AllowWrite = _ => false;
            Assert.Equal(0, await EndAsync(client, id, pid, epoch, commit: true));
            Assert.Equal("PrepareCommit", (await DescribeAsync(client, id)).TransactionState);
            Assert.Equal((short)ErrorCode.ConcurrentTransactions, await AddPartitionsAsync(client, id, pid, epoch, "txn-restart", 0));
            Assert.Equal(1, (await FetchAsync(client, "txn-restart", 0, 0)).HighWatermark);
        }
        int epochBefore = Broker.Host.Broker.Transactions.Markers.CoordinatorEpoch;

        await Broker.RestartAsync();
        await Broker.Host.Broker.GroupsLoaded;
        await using (var client = await ConnectAsync())
        {
            await Eventually.TrueAsync(async () => (await DescribeAsync(client, id)).TransactionState == "CompleteCommit", "commit completed after restart");
            foreach (int partition in new[] { 0, 1 })
            {
                Assert.Equal(2, (await FetchAsync(client, "txn-restart", partition, 0)).HighWatermark);
                var marker = await LastMarkerAsync(client, "txn-restart", partition, 1);
                Assert.Equal((true, pid, epoch), (marker.Commit, marker.ProducerId, marker.Epoch));
                Assert.Equal(epochBefore + 1, marker.CoordinatorEpoch);
            }
            // The producer carries on with its epoch.
            Assert.Equal(0, await AddPartitionsAsync(client, id, pid, epoch, "txn-restart", 0));
        }
    }

    [Fact]
    public async Task A_transaction_past_its_timeout_is_aborted_and_its_producer_fenced()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "txn-timeout", 1);
        var (pid, epoch) = await InitAsync(client, "tx-timeout", timeoutMs: 300);
        Assert.Equal(0, await AddPartitionsAsync(client, "tx-timeout", pid, epoch, "txn-timeout", 0));
        Assert.Equal(0, (await ProduceTxnAsync(client, "tx-timeout", "txn-timeout", 0, TxnBatch(pid, epoch, 0, "late"))).ErrorCode);
        await Eventually.TrueAsync(async () => (await DescribeAsync(client, "tx-timeout")).TransactionState == "CompleteAbort",
            "timed-out transaction aborted", TimeSpan.FromSeconds(15));
        Assert.Equal(2, (await FetchAsync(client, "txn-timeout", 0, 0)).HighWatermark);
        var marker = await LastMarkerAsync(client, "txn-timeout", 0, 1);
        Assert.Equal((false, pid, (short)(epoch + 1)), (marker.Commit, marker.ProducerId, marker.Epoch));
        Assert.Equal((short)ErrorCode.ProducerFenced, await EndAsync(client, "tx-timeout", pid, epoch, commit: true));
        Assert.Equal((short)ErrorCode.InvalidTransactionTimeout,
            (await client.RequestAsync<InitProducerIdResponse>(ApiKey.InitProducerId, 4,
                new InitProducerIdRequest { TransactionalId = "tx-timeout", TransactionTimeoutMs = 900_001 })).ErrorCode);
    }
}
