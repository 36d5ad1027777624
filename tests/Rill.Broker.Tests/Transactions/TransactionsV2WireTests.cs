using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using static Rill.Broker.Tests.TransactionTests;

namespace Rill.Broker.Tests.Transactions;

/// <summary>
/// Transactions v2 (KIP-890 part 2) over the wire against an EmbeddedBroker: the transaction.version feature in
/// ApiVersions, Produce v12 adding partitions without AddPartitionsToTxn, EndTxn v5 bumping the epoch that the
/// markers carry, a late write of the ended transaction fenced, TxnOffsetCommit v5 without AddOffsetsToTxn, and
/// kcat (librdkafka) as a read_committed consumer seeing exactly the committed records.
/// </summary>
public class TransactionsV2WireTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["transaction.state.log.num.partitions"] = "3",
        ["offsets.topic.num.partitions"] = "3",
        ["group.initial.rebalance.delay.ms"] = "0",
        ["transaction.abort.timed.out.transaction.cleanup.interval.ms"] = "100",
    };

    internal static async Task<ApiVersionsResponse> ApiVersionsAsync(WireClient client, short version)
        => await client.RequestAsync<ApiVersionsResponse>(ApiKey.ApiVersions, version,
            new ApiVersionsRequest { ClientSoftwareName = "wire-test", ClientSoftwareVersion = "1" });

    internal static async Task<ProduceResponse.PartitionProduceResponse> ProduceV12Async(WireClient client, string id, string topic, int partition, byte[] batch)
    {
        // The coordinator may still be writing the previous transaction's markers: the leader answers NOT_ENOUGH_REPLICAS, a client retries.
        for (int attempt = 0; ; attempt++)
        {
            var request = Produce(topic, partition, batch);
            request.TransactionalId = id;
            var answer = (await client.RequestAsync<ProduceResponse>(ApiKey.Produce, 12, request)).Responses[0].PartitionResponses[0];
            if (answer.ErrorCode != (short)ErrorCode.NotEnoughReplicas || attempt == 100)
            {
                return answer;
            }
            await Task.Delay(20);
        }
    }

    internal static async Task<EndTxnResponse> EndV5Async(WireClient client, string id, long pid, short epoch, bool commit)
        => await client.RequestAsync<EndTxnResponse>(ApiKey.EndTxn, 5,
            new EndTxnRequest { TransactionalId = id, ProducerId = pid, ProducerEpoch = epoch, Committed = commit });

    /// <summary>Producer id, epoch and control flag of the batch at <paramref name="offset"/>.</summary>
    private async Task<(bool Control, long ProducerId, short Epoch)> BatchAtAsync(WireClient client, string topic, int partition, long offset)
    {
        byte[] bytes = (await FetchAsync(client, topic, partition, offset)).Records!.Value.ToArray();
        ReadOnlySpan<byte> span = bytes;
        Assert.Equal(offset, BinaryPrimitives.ReadInt64BigEndian(span));
        short attributes = BinaryPrimitives.ReadInt16BigEndian(span[RecordBatchLayout.Attributes..]);
        return ((attributes & RecordBatchLayout.ControlFlag) != 0,
            BinaryPrimitives.ReadInt64BigEndian(span[RecordBatchLayout.ProducerId..]),
            BinaryPrimitives.ReadInt16BigEndian(span[RecordBatchLayout.ProducerEpoch..]));
    }

    private Task<string> KcatAsync(string topic, int partition, string isolation)
        => ExternalTool.RunOkAsync("kcat", ["-b", Broker.BootstrapServers, "-C", "-t", topic, "-p", partition.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-o", "beginning", "-e", "-X", $"isolation.level={isolation}", "-f", "%s\\n"], timeout: TimeSpan.FromSeconds(60));

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task ApiVersions_v3_advertises_transaction_version_2_and_the_v2_request_versions()
    {
        await using var client = await ConnectAsync();
        var v3 = await ApiVersionsAsync(client, 3);
        var supported = Assert.Single(v3.SupportedFeatures, f => f.Name == "transaction.version");
        Assert.Equal((0, 2), (supported.MinVersion, supported.MaxVersion));
        var finalized = Assert.Single(v3.FinalizedFeatures, f => f.Name == "transaction.version");
        Assert.Equal((2, 2), (finalized.MinVersionLevel, finalized.MaxVersionLevel));
        Assert.True(v3.FinalizedFeaturesEpoch > 0);
        short Max(ApiKey key) => v3.ApiKeys.Single(k => k.ApiKey == (short)key).MaxVersion;
        Assert.Equal(((short)12, (short)5, (short)5, (short)5), (Max(ApiKey.Produce), Max(ApiKey.EndTxn), Max(ApiKey.TxnOffsetCommit), Max(ApiKey.AddPartitionsToTxn)));

        // Versions before 3 have no place for features; the answer is otherwise the same.
        var v2 = await ApiVersionsAsync(client, 2);
        Assert.Empty(v2.SupportedFeatures);
        Assert.Equal(v3.ApiKeys.Count, v2.ApiKeys.Count);
    }

    [Fact]
    public async Task Produce_v12_adds_partitions_EndTxn_v5_bumps_the_epoch_and_a_late_write_is_fenced()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "tv2", 2);
        var (pid, epoch) = await InitAsync(client, "tx-v2");
        Assert.Equal(0, epoch);

        // Transaction 1, committed: no AddPartitionsToTxn, the leader adds both partitions.
        Assert.Equal(0, (await ProduceV12Async(client, "tx-v2", "tv2", 0, TxnBatch(pid, 0, 0, "c1-a", "c1-b"))).ErrorCode);
        Assert.Equal(0, (await ProduceV12Async(client, "tx-v2", "tv2", 1, TxnBatch(pid, 0, 0, "c1-x"))).ErrorCode);
        var ongoing = await DescribeAsync(client, "tx-v2");
        Assert.Equal(("Ongoing", pid, (short)0), (ongoing.TransactionState, ongoing.ProducerId, ongoing.ProducerEpoch));
        Assert.Equal([0, 1], Assert.Single(ongoing.Topics).Partitions.Order());
        var end1 = await EndV5Async(client, "tx-v2", pid, 0, commit: true);
        Assert.Equal((0, pid, (short)1), (end1.ErrorCode, end1.ProducerId, end1.ProducerEpoch));
        await Eventually.TrueAsync(async () => (await FetchAsync(client, "tv2", 0, 0)).HighWatermark == 3
            && (await FetchAsync(client, "tv2", 1, 0)).HighWatermark == 2, "commit markers written");
        Assert.Equal((true, pid, (short)1), await BatchAtAsync(client, "tv2", 0, 2));
        Assert.Equal((true, pid, (short)1), await BatchAtAsync(client, "tv2", 1, 1));

        // A late write of transaction 1 (epoch 0, next sequence) is fenced and appends nothing.
        var late = await ProduceV12Async(client, "tx-v2", "tv2", 0, TxnBatch(pid, 0, 2, "late"));
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, late.ErrorCode);
        Assert.Equal(3, (await FetchAsync(client, "tv2", 0, 0)).HighWatermark);
        // So is its EndTxn: the retry of the commit is answered with the current epoch, an abort is refused.
        var retried = await EndV5Async(client, "tx-v2", pid, 0, commit: true);
        Assert.Equal((0, pid, (short)1), (retried.ErrorCode, retried.ProducerId, retried.ProducerEpoch));
        Assert.Equal((short)ErrorCode.InvalidTxnState, (await EndV5Async(client, "tx-v2", pid, 0, commit: false)).ErrorCode);

        // Transaction 2 at epoch 1 (sequences restart), aborted.
        Assert.Equal(0, (await ProduceV12Async(client, "tx-v2", "tv2", 0, TxnBatch(pid, 1, 0, "a2-a"))).ErrorCode);
        var end2 = await EndV5Async(client, "tx-v2", pid, 1, commit: false);
        Assert.Equal((0, pid, (short)2), (end2.ErrorCode, end2.ProducerId, end2.ProducerEpoch));

        // Transaction 3 at epoch 2, committed; its first write may race the abort markers (retried inside ProduceV12Async).
        Assert.Equal(0, (await ProduceV12Async(client, "tx-v2", "tv2", 0, TxnBatch(pid, 2, 0, "c3-a"))).ErrorCode);
        Assert.Equal(0, (await ProduceV12Async(client, "tx-v2", "tv2", 1, TxnBatch(pid, 2, 0, "c3-x"))).ErrorCode);
        var end3 = await EndV5Async(client, "tx-v2", pid, 2, commit: true);
        Assert.Equal((0, pid, (short)3), (end3.ErrorCode, end3.ProducerId, end3.ProducerEpoch));
        await Eventually.TrueAsync(async () => (await DescribeAsync(client, "tx-v2")).TransactionState == "CompleteCommit", "transaction 3 complete");

        // An independent read_committed consumer (librdkafka) sees exactly the committed records; read_uncommitted sees all.
        Assert.Equal(["c1-a", "c1-b", "c3-a"], Lines(await KcatAsync("tv2", 0, "read_committed")));
        Assert.Equal(["c1-x", "c3-x"], Lines(await KcatAsync("tv2", 1, "read_committed")));
        Assert.Equal(["c1-a", "c1-b", "a2-a", "c3-a"], Lines(await KcatAsync("tv2", 0, "read_uncommitted")));
    }

    [Fact]
    public async Task A_write_while_the_previous_markers_are_pending_gets_the_retriable_NOT_ENOUGH_REPLICAS()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "tv2-busy", 1);
        var (pid, _) = await InitAsync(client, "tx-busy");
        Assert.Equal(0, (await ProduceV12Async(client, "tx-busy", "tv2-busy", 0, TxnBatch(pid, 0, 0, "first"))).ErrorCode);
        var markers = Broker.Host.Broker.Transactions.Markers;
        markers.AllowWrite = _ => false;
        try
        {
            Assert.Equal(0, (await EndV5Async(client, "tx-busy", pid, 0, commit: true)).ErrorCode);
            var request = Produce("tv2-busy", 0, TxnBatch(pid, 1, 0, "second"));
            request.TransactionalId = "tx-busy";
            var busy = (await client.RequestAsync<ProduceResponse>(ApiKey.Produce, 12, request)).Responses[0].PartitionResponses[0];
            Assert.Equal((short)ErrorCode.NotEnoughReplicas, busy.ErrorCode);
            Assert.Contains("retry", busy.ErrorMessage);
        }
        finally
        {
            markers.AllowWrite = null;
        }
        // The coordinator writes the markers again at its next check; the retried write then starts the next transaction.
        Assert.Equal(0, (await ProduceV12Async(client, "tx-busy", "tv2-busy", 0, TxnBatch(pid, 1, 0, "second"))).ErrorCode);
        Assert.Equal(("Ongoing", (short)1), ((await DescribeAsync(client, "tx-busy")).TransactionState, (await DescribeAsync(client, "tx-busy")).ProducerEpoch));
    }

    [Fact]
    public async Task TxnOffsetCommit_v5_adds_the_offsets_partition_and_the_offsets_count_from_the_commit()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "tv2-src", 1);
        await CreateTopicAsync(client, "tv2-out", 1);
        var (pid, _) = await InitAsync(client, "tx-v2o");
        Assert.Equal(0, (await ProduceV12Async(client, "tx-v2o", "tv2-out", 0, TxnBatch(pid, 0, 0, "out"))).ErrorCode);
        var commit = await client.RequestAsync<TxnOffsetCommitResponse>(ApiKey.TxnOffsetCommit, 5, new TxnOffsetCommitRequest
        {
            TransactionalId = "tx-v2o", GroupId = "g-v2", ProducerId = pid, ProducerEpoch = 0,
            Topics = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic
            {
                Name = "tv2-src",
                Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 17, CommittedMetadata = "" }],
            }],
        });
        Assert.Equal(0, commit.Topics[0].Partitions[0].ErrorCode);
        Assert.Contains((await DescribeAsync(client, "tx-v2o")).Topics, t => t.Topic == "__consumer_offsets");

        async Task<long> CommittedAsync() => (await client.RequestAsync<OffsetFetchResponse>(ApiKey.OffsetFetch, 7, new OffsetFetchRequest
        {
            GroupId = "g-v2",
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "tv2-src", PartitionIndexes = [0] }],
        })).Topics[0].Partitions[0].CommittedOffset;
        Assert.Equal(-1, await CommittedAsync());
        var end = await EndV5Async(client, "tx-v2o", pid, 0, commit: true);
        Assert.Equal((0, (short)1), (end.ErrorCode, end.ProducerEpoch));
        await Eventually.TrueAsync(async () => await CommittedAsync() == 17, "offset committed with the transaction");

        // A fenced epoch's offsets are refused.
        var stale = await client.RequestAsync<TxnOffsetCommitResponse>(ApiKey.TxnOffsetCommit, 5, new TxnOffsetCommitRequest
        {
            TransactionalId = "tx-v2o", GroupId = "g-v2", ProducerId = pid, ProducerEpoch = 0,
            Topics = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic
            {
                Name = "tv2-src",
                Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 99, CommittedMetadata = "" }],
            }],
        });
        Assert.Equal((short)ErrorCode.ProducerFenced, stale.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task A_v1_producer_keeps_its_epoch_on_a_broker_with_transaction_version_2()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "tv1", 1);
        var (pid, epoch) = await InitAsync(client, "tx-v1");
        Assert.Equal(0, await AddPartitionsAsync(client, "tx-v1", pid, epoch, "tv1", 0));
        Assert.Equal(0, (await ProduceTxnAsync(client, "tx-v1", "tv1", 0, TxnBatch(pid, epoch, 0, "v1"))).ErrorCode);
        var end = await client.RequestAsync<EndTxnResponse>(ApiKey.EndTxn, 4,
            new EndTxnRequest { TransactionalId = "tx-v1", ProducerId = pid, ProducerEpoch = epoch, Committed = true });
        Assert.Equal(0, end.ErrorCode);
        await Eventually.TrueAsync(async () => (await DescribeAsync(client, "tx-v1")).TransactionState == "CompleteCommit", "v1 commit complete");
        Assert.Equal((true, pid, epoch), await BatchAtAsync(client, "tv1", 0, 1));
        // Produce v11 of a partition not added is still refused (KIP-890 part 1).
        Assert.Equal((short)ErrorCode.InvalidTxnState, (await ProduceTxnAsync(client, "tx-v1", "tv1", 0, TxnBatch(pid, epoch, 1, "x"))).ErrorCode);
    }
}

/// <summary>rill.transaction.version=0: nothing finalized, and the v2 request versions behave as their v1 versions.</summary>
public sealed class TransactionVersionZeroWireTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string> Properties => new Dictionary<string, string>
    {
        ["transaction.state.log.num.partitions"] = "3",
        ["rill.transaction.version"] = "0",
    };

    [Fact]
    public async Task Features_list_support_but_nothing_finalized_and_v12_produce_needs_AddPartitionsToTxn()
    {
        await using var client = await ConnectAsync();
        var versions = await TransactionsV2WireTests.ApiVersionsAsync(client, 3);
        Assert.Single(versions.SupportedFeatures, f => f.Name == "transaction.version");
        Assert.Empty(versions.FinalizedFeatures);

        await CreateTopicAsync(client, "tv0", 1);
        var (pid, epoch) = await InitAsync(client, "tx-v0");
        Assert.Equal((short)ErrorCode.InvalidTxnState,
            (await TransactionsV2WireTests.ProduceV12Async(client, "tx-v0", "tv0", 0, TxnBatch(pid, epoch, 0, "x"))).ErrorCode);
        Assert.Equal(0, await AddPartitionsAsync(client, "tx-v0", pid, epoch, "tv0", 0));
        Assert.Equal(0, (await TransactionsV2WireTests.ProduceV12Async(client, "tx-v0", "tv0", 0, TxnBatch(pid, epoch, 0, "y"))).ErrorCode);
        var end = await TransactionsV2WireTests.EndV5Async(client, "tx-v0", pid, epoch, commit: true);
        Assert.Equal((0, pid, epoch), (end.ErrorCode, end.ProducerId, end.ProducerEpoch));
    }
}
